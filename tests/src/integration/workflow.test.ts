import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, getJson, postJson, LAPTOP_ORDER, type Harness } from '../harness/harness';

// The order workflow end to end, sdk mode, with no collector listening at all: every answer
// and every row must be right regardless of where telemetry goes.

let h: Harness;
before(async () => {
  h = await startHarness({ mode: 'sdk' });
});
after(async () => {
  await h?.stop();
});

test('POST /orders answers 201 with the whole workflow and a trace id', async () => {
  const { status, body } = await h.postOrder(LAPTOP_ORDER);
  assert.equal(status, 201);
  assert.equal(body.status, 'confirmed');
  assert.equal(typeof body.order_id, 'number');
  assert.deepEqual(body.inventory_check, { available: true, reserved: 2, remaining_stock: 23 });
  assert.deepEqual(body.price, {
    unit_price: 1299.99,
    quantity: 2,
    subtotal: 2599.98,
    discount_percent: 0,
    discount: 0,
    total: 2599.98,
    currency: 'USD',
  });
  assert.equal(body.notification.status, 'sent');
  assert.equal(typeof body.notification.notification_id, 'number');
  assert.match(body.trace_id, /^[0-9a-f]{32}$/);
});

test('one order leaves one row in each database', async () => {
  const { body } = await h.postOrder({ user_id: 7, product_name: 'Keyboard', quantity: 10 });
  const order = h.db('orders').prepare('SELECT * FROM orders WHERE id = ?').get(body.order_id) as any;
  assert.equal(order.status, 'confirmed');
  assert.equal(order.total, 719.91); // 10 x 79.99 with the 10% discount
  assert.equal(order.trace_id, body.trace_id);
  const reservation = h.db('inventory').prepare('SELECT * FROM reservations WHERE order_id = ?').get(body.order_id) as any;
  assert.deepEqual([reservation.product_name, reservation.quantity, reservation.status], ['Keyboard', 10, 'reserved']);
  const quote = h.db('pricing').prepare('SELECT * FROM quotes WHERE order_id = ?').get(body.order_id) as any;
  assert.equal(quote.total_cents, 71991);
  const notification = h.db('notifications').prepare('SELECT * FROM notifications WHERE order_id = ?').get(body.order_id) as any;
  assert.equal(notification.user_id, 7);
  assert.match(notification.message, /10 x Keyboard/);
});

test('every service logs the same trace id for one order', async () => {
  const { body } = await h.postOrder(LAPTOP_ORDER);
  for (const service of ['orders', 'inventory', 'pricing', 'notifications'] as const) {
    const lines = h.chain.services[service].jsonLines().filter((line) => line.order_id === body.order_id);
    assert.ok(lines.length > 0, `${service} logged nothing for order ${body.order_id}`);
    for (const line of lines) {
      assert.equal(line.trace_id, body.trace_id, `${service}: ${JSON.stringify(line)}`);
      assert.match(String(line.span_id), /^[0-9a-f]{16}$/);
    }
  }
});

test('an order larger than the stock is kept as out_of_stock, not an error', async () => {
  const { status, body } = await h.postOrder({ user_id: 1001, product_name: 'Laptop', quantity: 999 });
  assert.equal(status, 201);
  assert.equal(body.status, 'out_of_stock');
  assert.equal(body.inventory_check.available, false);
  assert.equal(body.inventory_check.requested, 999);
  assert.equal(body.price, null);
  const row = h.db('orders').prepare('SELECT status, failure_reason FROM orders WHERE id = ?').get(body.order_id) as any;
  assert.equal(row.status, 'out_of_stock');
  assert.match(row.failure_reason, /999 requested/);
});

test('GET /orders lists recent orders and GET /orders/:id returns one', async () => {
  const placed = await h.postOrder({ user_id: 42, product_name: 'Mouse', quantity: 3 });
  const list = await getJson(`${h.chain.ordersUrl}/orders?limit=5`);
  assert.equal(list.status, 200);
  assert.equal(list.body.orders[0].order_id, placed.body.order_id);
  assert.ok(list.body.count <= 5);
  const one = await getJson(`${h.chain.ordersUrl}/orders/${placed.body.order_id}`);
  assert.equal(one.status, 200);
  assert.equal(one.body.user_id, 42);
  assert.equal(one.body.price.total, 74.97);
  assert.equal(one.body.trace_id, placed.body.trace_id);
  assert.equal((await getJson(`${h.chain.ordersUrl}/orders/999999`)).status, 404);
  const bad = await getJson(`${h.chain.ordersUrl}/orders/abc`);
  assert.deepEqual([bad.status, bad.body.field], [400, 'id']);
  assert.equal((await getJson(`${h.chain.ordersUrl}/orders?limit=0`)).body.field, 'limit');
});

test('GET /inventory, GET /notifications and every /health answer', async () => {
  const inventory = await getJson(`${h.chain.url('inventory')}/inventory`);
  assert.deepEqual(
    inventory.body.products.map((p: any) => p.name),
    ['Keyboard', 'Laptop', 'Mouse'],
  );
  const notifications = await getJson(`${h.chain.url('notifications')}/notifications`);
  assert.ok(notifications.body.count > 0);
  for (const service of ['orders', 'inventory', 'pricing', 'notifications'] as const) {
    const health = await getJson(`${h.chain.url(service)}/health`);
    assert.deepEqual(health.body, { status: 'ok', service, database: 'ok' });
  }
});

test('restocking adds stock; an unknown product cannot be restocked', async () => {
  const url = `${h.chain.url('inventory')}/inventory/restock`;
  const before = (await getJson(`${h.chain.url('inventory')}/inventory`)).body.products.find((p: any) => p.name === 'Mouse').stock;
  const restocked = await postJson(url, { product_name: 'Mouse', quantity: 5 });
  assert.deepEqual(restocked.body, { name: 'Mouse', stock: before + 5 });
  const unknown = await postJson(url, { product_name: 'Tablet', quantity: 5 });
  assert.deepEqual([unknown.status, unknown.body.field], [422, 'product_name']);
});
