import {
  checkBodyIsObject,
  checkInteger,
  checkOrderLine,
  checkString,
  dependencyFailed,
  invalidField,
  inSpan,
  ORDER_ID_ATTRIBUTE,
  tagSpansWithOrder,
  injectRequestedFault,
  markCurrentSpanFailed,
  meter,
  type Logger,
  type PriceRequest,
  type PriceResponse,
  type StockCheckResponse,
} from '@demo/shared';
import { createExpressApp, finishExpressApp } from '@demo/shared/express';
import { postJson, refusalAsFailure } from '@demo/shared/http-client';
import type { InventoryDb } from './db';

export interface InventoryDeps {
  inventory: InventoryDb;
  pricingUrl: string;
  pricingTimeoutMs: number;
  logger: Logger;
}

export function buildInventoryApp(deps: InventoryDeps) {
  const { inventory, logger } = deps;
  const app = createExpressApp({ service: 'inventory', logger, isHealthy: () => inventory.db.isHealthy() });
  const reservations = meter('inventory').createCounter('inventory_reservations', {
    description: 'Stock checks by outcome',
    unit: '{check}',
  });
  meter('inventory')
    .createObservableGauge('inventory_stock_level', { description: 'Units in stock per product', unit: '{unit}' })
    .addCallback((result) => {
      for (const product of inventory.products()) result.observe(product.stock, { product: product.name });
    });

  app.get('/inventory', (_request, response) => {
    response.json({ products: inventory.products() });
  });

  app.post('/inventory/check', async (request, response) => {
    const input = checkOrderLine(request.body);
    if (!input.ok) throw input.error;
    const { order_id, product_name, quantity } = input.value;
    tagSpansWithOrder(order_id);
    await injectRequestedFault(request.headers, { service: 'inventory', logger, db: inventory.db });

    const reservation = inSpan(
      'reserve stock',
      { [ORDER_ID_ATTRIBUTE]: order_id, 'demo.product': product_name, 'demo.quantity': quantity },
      () => inventory.reserve(order_id, product_name, quantity),
    );
    if ('unknownProduct' in reservation) {
      const known = inventory
        .products()
        .map((product) => product.name)
        .join(', ');
      throw invalidField('product_name', `product_name "${product_name}" is not a product we sell; choose one of: ${known}`, 422);
    }
    if (!reservation.reserved) {
      reservations.add(1, { outcome: 'out_of_stock' });
      logger.info({ order_id, product_name, quantity, in_stock: reservation.inStock }, `order ${order_id}: not enough ${product_name}`);
      const answer: StockCheckResponse = { available: false, product_name, requested: quantity, in_stock: reservation.inStock };
      response.json(answer);
      return;
    }

    logger.info({ order_id, product_name, quantity }, `order ${order_id}: reserved ${quantity} ${product_name}, asking pricing`);
    const priceRequest: PriceRequest = { order_id, user_id: input.value.user_id, product_name, quantity };
    const priced = await postJson<PriceResponse>(`${deps.pricingUrl}/pricing/calculate`, priceRequest, {
      dependency: 'pricing',
      timeoutMs: deps.pricingTimeoutMs,
    });
    if (!priced.ok) {
      // Without a price the order cannot be confirmed: give the stock back before answering.
      inventory.release(reservation.reservationId);
      reservations.add(1, { outcome: 'released' });
      // inventory checked the order before it asked: pricing refusing it is pricing failing.
      const failure = 'refusal' in priced ? refusalAsFailure(priced.refusal) : priced.failure;
      markCurrentSpanFailed(failure.message, { 'demo.failed_dependency': failure.dependency });
      logger.error({ order_id, dependency: failure.dependency }, `order ${order_id}: stock released, ${failure.message}`);
      throw dependencyFailed(failure);
    }

    reservations.add(1, { outcome: 'reserved' });
    const answer: StockCheckResponse = {
      available: true,
      product_name,
      reserved: quantity,
      remaining_stock: reservation.remainingStock,
      pricing: priced.body,
    };
    response.json(answer);
  });

  // Called by orders when an order failed after inventory may have reserved stock for it (a
  // timeout, a crash mid-request): whatever that order holds goes back on the shelf.
  app.post('/inventory/release', (request, response) => {
    const body = checkBodyIsObject(request.body);
    if (!body.ok) throw body.error;
    const orderId = checkInteger(body.value, 'order_id', 1, Number.MAX_SAFE_INTEGER);
    if (!orderId.ok) throw orderId.error;
    const released = inventory.releaseOrder(orderId.value);
    if (released > 0) logger.info({ order_id: orderId.value }, `order ${orderId.value}: released its reserved stock`);
    response.json({ order_id: orderId.value, released });
  });

  app.post('/inventory/restock', (request, response) => {
    const body = checkBodyIsObject(request.body);
    if (!body.ok) throw body.error;
    const name = checkString(body.value, 'product_name', 100);
    if (!name.ok) throw name.error;
    const quantity = checkInteger(body.value, 'quantity', 1, 1_000_000);
    if (!quantity.ok) throw quantity.error;
    const product = inventory.restock(name.value, quantity.value);
    if (!product) throw invalidField('product_name', `product_name "${name.value}" is not a product we sell`, 422);
    logger.info({ product: product.name, stock: product.stock }, `restocked ${product.name}`);
    response.json(product);
  });

  finishExpressApp(app, logger);
  return app;
}
