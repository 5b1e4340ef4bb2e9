import { inSpan, type Logger } from '@demo/shared';
import { postJson } from '@demo/shared/http-client';
import type { OrdersDb } from './db';

// The compensation half of the workflow. When the call to inventory fails, inventory may
// still have reserved stock for the order (it crashed after committing, or answered after
// orders stopped waiting). Such orders are marked stock_release_pending, and this loop asks
// inventory to release them, again and again, until inventory confirms: the stock of an
// order that failed always goes back on the shelf, even across restarts of either service.

export interface StockReleaser {
  /** Try now (after a failure) instead of at the next tick. */
  kick: () => void;
  stop: () => void;
}

export function startStockReleaser(orders: OrdersDb, inventoryUrl: string, logger: Logger, intervalMs = 2000): StockReleaser {
  let busy = false;
  /** Releases pending orders in batches until none are left or inventory stops answering. */
  const releaseBatch = async (batch: number[]): Promise<boolean> =>
    inSpan('release stock of failed orders', { 'demo.orders': batch.length }, async () => {
      for (const orderId of batch) {
        const result = await postJson<{ released: number }>(
          `${inventoryUrl}/inventory/release`,
          { order_id: orderId },
          { dependency: 'inventory', timeoutMs: 2000 },
        );
        if (!result.ok) return false; // inventory still unavailable: next tick
        orders.releaseDone(orderId);
        if (result.body.released > 0) logger.info({ order_id: orderId }, `order ${orderId}: inventory released the stock it held`);
      }
      return true;
    });
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      for (let batch = orders.pendingReleases(100); batch.length > 0; batch = orders.pendingReleases(100)) {
        if (!(await releaseBatch(batch))) return;
      }
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return { kick: () => void tick(), stop: () => clearInterval(timer) };
}
