import {
  checkOrderLine,
  invalidField,
  inSpan,
  ORDER_ID_ATTRIBUTE,
  tagSpansWithOrder,
  injectRequestedFault,
  markCurrentSpanFailed,
  meter,
  type Logger,
  type NotificationOutcome,
  type NotificationRequest,
  type NotificationResponse,
  type PriceResponse,
} from '@demo/shared';
import { createExpressApp, finishExpressApp } from '@demo/shared/express';
import { postJson, refusalAsFailure } from '@demo/shared/http-client';
import type { PricingDb } from './db';
import { priceOrder } from './price';
import { traceHeadersToForward } from './propagation';

export interface PricingDeps {
  pricing: PricingDb;
  notificationsUrl: string;
  notificationsTimeoutMs: number;
  propagateTraceHeaders: boolean;
  logger: Logger;
}

export function buildPricingApp(deps: PricingDeps) {
  const { pricing, logger } = deps;
  const app = createExpressApp({ service: 'pricing', logger, isHealthy: () => pricing.db.isHealthy() });
  const revenue = meter('pricing').createCounter('pricing_quoted_revenue', { description: 'Sum of quoted order totals', unit: 'USD' });

  app.post('/pricing/calculate', async (request, response) => {
    const input = checkOrderLine(request.body);
    if (!input.ok) throw input.error;
    const { order_id, user_id, product_name, quantity } = input.value;
    tagSpansWithOrder(order_id);
    await injectRequestedFault(request.headers, { service: 'pricing', logger, db: pricing.db });

    const price = inSpan(
      'calculate price',
      { [ORDER_ID_ATTRIBUTE]: order_id, 'demo.product': product_name, 'demo.quantity': quantity },
      () => {
        const unitPriceCents = pricing.unitPriceCents(product_name);
        if (unitPriceCents === undefined) return undefined;
        const breakdown = priceOrder(unitPriceCents, quantity, pricing.discountPercent(quantity));
        pricing.saveQuote(order_id, product_name, quantity, breakdown.totalCents);
        return breakdown;
      },
    );
    if (!price) throw invalidField('product_name', `product_name "${product_name}" has no price`, 422);
    const { totalCents: _cents, ...breakdown } = price;
    revenue.add(breakdown.total, { product: product_name });
    logger.info({ order_id, total: breakdown.total }, `order ${order_id}: priced at ${breakdown.total} ${breakdown.currency}, notifying`);

    const notificationRequest: NotificationRequest = {
      order_id,
      user_id,
      product_name,
      quantity,
      total: breakdown.total,
      currency: breakdown.currency,
    };
    const sent = await postJson<NotificationResponse>(`${deps.notificationsUrl}/notifications`, notificationRequest, {
      dependency: 'notifications',
      timeoutMs: deps.notificationsTimeoutMs,
      headers: traceHeadersToForward(request.headers, deps.propagateTraceHeaders, logger),
    });

    // A notification that cannot be sent does not undo a priced order: report it and go on.
    let notification: NotificationOutcome;
    if (sent.ok) {
      notification = sent.body;
    } else {
      const reason = 'refusal' in sent ? refusalAsFailure(sent.refusal).message : sent.failure.message;
      markCurrentSpanFailed(reason, { 'demo.failed_dependency': 'notifications' });
      logger.warn({ order_id, dependency: 'notifications' }, `order ${order_id}: notification skipped, ${reason}`);
      notification = { status: 'skipped', reason };
    }
    const answer: PriceResponse = { price: breakdown, notification };
    response.json(answer);
  });

  finishExpressApp(app, logger);
  return app;
}
