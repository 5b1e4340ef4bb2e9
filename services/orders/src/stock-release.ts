import { postJson, inSpan, type Logger } from '@demo/shared';
import type { OrdersDb } from './db';

// The compensation half of the workflow. When the call to inventory fails, inventory may
// still have reserved stock for the order (it crashed after committing, or answered after
// orders stopped waiting). Such orders are marked stock_release_pending, and this loop asks
// inventory to release them, again and again, until inventory confirms: the stock of an
// order that failed always goes back on the shelf, even across restarts of either service.

export interface StockReleaser {
  /** Try now (after a failure) instead of at the next tick. */
  kick(): void;
  stop(): void;
}

export function startStockReleaser(orders: OrdersDb, inventoryUrl: string, logger: Logger, intervalMs = 2000): StockReleaser {
  let busy = false;
  const tick = async () => {
    const pending = orders.pendingReleases(50);
    if (busy || pending.length === 0) return;
    busy = true;
    try {
      await inSpan('release stock of failed orders', { 'demo.orders': pending.length }, async () => {
        for (const orderId of pending) {
          const result = await postJson<{ released: number }>(`${inventoryUrl}/inventory/release`, { order_id: orderId }, { dependency: 'inventory', timeoutMs: 2000 });
          if (!result.ok || result.status !== 200) return; // inventory still unavailable: next tick
          orders.releaseDone(orderId);
          if (result.body.released > 0) logger.info({ order_id: orderId }, `order ${orderId}: inventory released the stock it held`);
        }
      });
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return { kick: () => void tick(), stop: () => clearInterval(timer) };
}
