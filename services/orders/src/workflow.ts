import {
  dependencyFailed,
  invalidField,
  currentTraceId,
  tagSpansWithOrder,
  markCurrentSpanFailed,
  meter,
  type HttpError,
  type Logger,
  type OrderItem,
  type StockCheckRequest,
  type StockCheckResponse,
} from '@demo/shared';
import { postJson } from '@demo/shared/http-client';
import type { OrdersDb, OrderOutcome } from './db';

// Placing an order: store it as pending, ask inventory (which asks pricing, which asks
// notifications), store the outcome, answer. Each way this can end is one branch below.

export interface WorkflowDeps {
  orders: OrdersDb;
  inventoryUrl: string;
  inventoryTimeoutMs: number;
  logger: Logger;
  /** Asks inventory to give back stock held by failed orders (see stock-release.ts). */
  releaseStock: () => void;
  /** The deployment's instrumentation mode (DEMO_MODE), stored with each order; null if unset. */
  mode: string | null;
}

export type OrderResult = { ok: true; body: Record<string, unknown> } | { ok: false; error: HttpError };

const ordersPlaced = meter('orders').createCounter('orders_placed', { description: 'Orders by final status', unit: '{order}' });

export async function placeOrder(item: OrderItem, deps: WorkflowDeps): Promise<OrderResult> {
  const traceId = currentTraceId();
  const orderId = deps.orders.insertPending({
    userId: item.user_id,
    productName: item.product_name,
    quantity: item.quantity,
    traceId,
    mode: deps.mode,
  });
  tagSpansWithOrder(orderId);
  const summary = { order_id: orderId, ...item };
  deps.logger.info(summary, `order ${orderId} received, checking inventory`);

  const stockCheck: StockCheckRequest = summary;
  const call = await postJson<StockCheckResponse>(`${deps.inventoryUrl}/inventory/check`, stockCheck, {
    dependency: 'inventory',
    timeoutMs: deps.inventoryTimeoutMs,
  });

  if (!call.ok && 'refusal' in call) {
    // Inventory refused the request: the order was never valid, so it is not kept.
    deps.orders.remove(orderId);
    const { status, body: refusal } = call.refusal;
    deps.logger.warn({ ...summary, refusal }, `order ${orderId} refused by inventory`);
    return { ok: false, error: invalidField(refusal.field ?? 'product_name', refusal.message, status) };
  }

  if (!call.ok) {
    const { failure } = call;
    const outcome: OrderOutcome = { status: 'failed', total: null, failureReason: failure.message, details: { failure } };
    deps.orders.finish(orderId, outcome);
    // Inventory may have reserved stock before it failed or before we gave up waiting.
    deps.orders.markReleasePending(orderId);
    deps.releaseStock();
    ordersPlaced.add(1, { status: 'failed' });
    markCurrentSpanFailed(failure.message, { 'demo.failed_dependency': failure.dependency });
    deps.logger.error({ ...summary, dependency: failure.dependency }, `order ${orderId} failed: ${failure.message}`);
    return { ok: false, error: dependencyFailed(failure, { order_id: orderId, status: 'failed', trace_id: traceId, mode: deps.mode }) };
  }

  const stock = call.body;
  const outcome: OrderOutcome = stock.available
    ? {
        status: 'confirmed',
        total: stock.pricing.price.total,
        failureReason: null,
        details: {
          inventory_check: { available: true, reserved: stock.reserved, remaining_stock: stock.remaining_stock },
          price: stock.pricing.price,
          notification: stock.pricing.notification,
        },
      }
    : {
        status: 'out_of_stock',
        total: null,
        failureReason: `only ${stock.in_stock} ${stock.product_name} in stock, ${stock.requested} requested`,
        details: {
          inventory_check: { available: false, requested: stock.requested, in_stock: stock.in_stock },
          price: null,
          notification: null,
        },
      };
  deps.orders.finish(orderId, outcome);
  ordersPlaced.add(1, { status: outcome.status });
  deps.logger.info({ ...summary, status: outcome.status, total: outcome.total }, `order ${orderId} ${outcome.status}`);
  return { ok: true, body: { ...summary, status: outcome.status, ...(outcome.details as object), trace_id: traceId, mode: deps.mode } };
}
