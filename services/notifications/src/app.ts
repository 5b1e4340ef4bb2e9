import {
  checkOrderLine,
  invalidField,
  inSpan,
  ORDER_ID_ATTRIBUTE,
  tagSpansWithOrder,
  injectRequestedFault,
  meter,
  type Checked,
  type Logger,
  type NotificationRequest,
  type NotificationResponse,
} from '@demo/shared';
import { createFastifyApp } from '@demo/shared/fastify';
import type { NotificationsDb } from './db';

export function buildNotificationsApp(deps: { notifications: NotificationsDb; logger: Logger }) {
  const { notifications, logger } = deps;
  const app = createFastifyApp({ service: 'notifications', logger, isHealthy: () => notifications.db.isHealthy() });
  const sent = meter('notifications').createCounter('notifications_sent', { description: 'Notifications sent', unit: '{notification}' });

  app.post('/notifications', async (request, reply) => {
    const input = checkNotificationRequest(request.body);
    if (!input.ok) throw input.error;
    const { order_id, user_id, product_name, quantity, total, currency } = input.value;
    tagSpansWithOrder(order_id);
    await injectRequestedFault(request.headers, { service: 'notifications', logger, db: notifications.db });
    const channel = 'email';
    const message = `Order ${order_id} confirmed: ${quantity} x ${product_name}, total ${total.toFixed(2)} ${currency}`;

    const notificationId = inSpan('send notification', { [ORDER_ID_ATTRIBUTE]: order_id, 'demo.channel': channel }, () => {
      const id = notifications.record(order_id, user_id, channel, message);
      logger.info({ order_id, user_id, channel }, `sending ${channel} to user ${user_id}: ${message}`);
      return id;
    });
    sent.add(1, { channel });
    const answer: NotificationResponse = { notification_id: notificationId, status: 'sent', channel, message };
    return reply.code(201).send(answer);
  });

  app.get('/notifications', async () => {
    const rows = notifications.latest(50);
    return { notifications: rows, count: rows.length };
  });

  return app;
}

export function checkNotificationRequest(body: unknown): Checked<NotificationRequest> {
  const line = checkOrderLine(body);
  if (!line.ok) return line;
  const { total, currency } = body as Record<string, unknown>;
  if (typeof total !== 'number' || !Number.isFinite(total) || total < 0) {
    return { ok: false, error: invalidField('total', 'total must be a non-negative number') };
  }
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) {
    return { ok: false, error: invalidField('currency', 'currency must be a three-letter code such as USD') };
  }
  return { ok: true, value: { ...line.value, total, currency } };
}
