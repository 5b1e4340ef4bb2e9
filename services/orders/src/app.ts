import { injectRequestedFault, checkIdParam, checkInteger, checkOrderItem, notFound, type Logger } from '@demo/shared';
import { createFastifyApp } from '@demo/shared/fastify';
import type { OrderRow } from './db';
import { placeOrder, type WorkflowDeps } from './workflow';

export function buildOrdersApp(deps: WorkflowDeps & { logger: Logger }) {
  const app = createFastifyApp({ service: 'orders', logger: deps.logger, isHealthy: () => deps.orders.db.isHealthy() });

  app.post('/orders', async (request, reply) => {
    const item = checkOrderItem(request.body);
    if (!item.ok) throw item.error;
    await injectRequestedFault(request.headers, { service: 'orders', logger: deps.logger, db: deps.orders.db });
    const result = await placeOrder(item.value, deps);
    if (!result.ok) throw result.error;
    return reply.code(201).send(result.body);
  });

  app.get('/orders', async (request) => {
    const limitParam = (request.query as Record<string, string | undefined>).limit;
    const limit =
      limitParam === undefined ? { ok: true as const, value: 50 } : checkInteger({ limit: Number(limitParam) }, 'limit', 1, 500);
    if (!limit.ok) throw limit.error;
    const orders = deps.orders.latest(limit.value).map(present);
    return { orders, count: orders.length };
  });

  app.get('/orders/:id', async (request) => {
    const id = checkIdParam((request.params as { id?: string }).id, 'id');
    if (!id.ok) throw id.error;
    const row = deps.orders.get(id.value);
    if (!row) throw notFound(`order ${id.value} does not exist`);
    return present(row);
  });

  return app;
}

/** An order as the API shows it: the stored outcome details merged into the row. */
function present(row: OrderRow) {
  const details = row.details ? (JSON.parse(row.details) as Record<string, unknown>) : {};
  return {
    order_id: row.id,
    user_id: row.user_id,
    product_name: row.product_name,
    quantity: row.quantity,
    status: row.status,
    total: row.total,
    failure_reason: row.failure_reason,
    ...details,
    trace_id: row.trace_id,
    mode: row.mode,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
