import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, postJson, type Harness } from '../harness/harness';

// Bad input gets a 4xx JSON error naming what is wrong, and nothing is stored anywhere.

let h: Harness;
before(async () => {
  h = await startHarness({ mode: 'sdk' });
});
after(async () => {
  await h?.stop();
});

function rowCounts() {
  return {
    orders: (h.db('orders').prepare('SELECT COUNT(*) AS n FROM orders').get() as any).n,
    reservations: (h.db('inventory').prepare('SELECT COUNT(*) AS n FROM reservations').get() as any).n,
    quotes: (h.db('pricing').prepare('SELECT COUNT(*) AS n FROM quotes').get() as any).n,
    notifications: (h.db('notifications').prepare('SELECT COUNT(*) AS n FROM notifications').get() as any).n,
  };
}

const invalidOrders: [string, unknown, number, string][] = [
  ['missing user_id', { product_name: 'Laptop', quantity: 1 }, 400, 'user_id'],
  ['user_id as a string', { user_id: '1001', product_name: 'Laptop', quantity: 1 }, 400, 'user_id'],
  ['user_id zero', { user_id: 0, product_name: 'Laptop', quantity: 1 }, 400, 'user_id'],
  ['missing product_name', { user_id: 1, quantity: 1 }, 400, 'product_name'],
  ['product_name as a number', { user_id: 1, product_name: 5, quantity: 1 }, 400, 'product_name'],
  ['blank product_name', { user_id: 1, product_name: '   ', quantity: 1 }, 400, 'product_name'],
  ['overlong product_name', { user_id: 1, product_name: 'x'.repeat(101), quantity: 1 }, 400, 'product_name'],
  ['unknown product', { user_id: 1, product_name: 'Tablet', quantity: 1 }, 422, 'product_name'],
  ['missing quantity', { user_id: 1, product_name: 'Laptop' }, 400, 'quantity'],
  ['quantity zero', { user_id: 1, product_name: 'Laptop', quantity: 0 }, 400, 'quantity'],
  ['negative quantity', { user_id: 1, product_name: 'Laptop', quantity: -3 }, 400, 'quantity'],
  ['fractional quantity', { user_id: 1, product_name: 'Laptop', quantity: 1.5 }, 400, 'quantity'],
  ['absurd quantity', { user_id: 1, product_name: 'Laptop', quantity: 1e9 }, 400, 'quantity'],
  ['quantity as a string', { user_id: 1, product_name: 'Laptop', quantity: '2' }, 400, 'quantity'],
  ['an array body', [1, 2], 400, 'body'],
  ['a string body', '"hello"', 400, 'body'],
];

for (const [name, body, status, field] of invalidOrders) {
  test(`POST /orders with ${name}: ${status} naming ${field}, nothing stored`, async () => {
    const before = rowCounts();
    const response = await h.postOrder(body);
    assert.equal(response.status, status);
    assert.equal(response.body.error, 'invalid_field');
    assert.equal(response.body.field, field);
    assert.ok(response.body.message.includes(field === 'body' ? 'JSON object' : field), response.body.message);
    assert.deepEqual(rowCounts(), before);
  });
}

// Each service's POST endpoint, where a body is read.
const POST_ENDPOINTS = [
  ['orders', '/orders'],
  ['inventory', '/inventory/check'],
  ['pricing', '/pricing/calculate'],
  ['notifications', '/notifications'],
] as const;

test('malformed JSON: 400 invalid_json on every service', async () => {
  for (const [service, path] of POST_ENDPOINTS) {
    const response = await postJson(`${h.chain.url(service)}${path}`, '{"user_id": 1001, "product_name": ');
    assert.equal(response.status, 400, path);
    assert.equal(response.body.error, 'invalid_json', path);
  }
});

test('a body over 16 KiB: 413 on every service, nothing stored', async () => {
  const before = rowCounts();
  const huge = JSON.stringify({ user_id: 1, product_name: 'Laptop', quantity: 1, padding: 'x'.repeat(20_000) });
  for (const [service, path] of POST_ENDPOINTS) {
    const response = await postJson(`${h.chain.url(service)}${path}`, huge);
    assert.equal(response.status, 413, service);
    assert.equal(response.body.error, 'body_too_large', service);
  }
  assert.deepEqual(rowCounts(), before);
});

test('a body that is not JSON: 415 on every service', async () => {
  for (const [service, path] of POST_ENDPOINTS) {
    const response = await postJson(`${h.chain.url(service)}${path}`, 'user_id=1', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(response.status, 415, service);
    assert.equal(response.body.error, 'unsupported_media_type', service);
  }
});

test('downstream services validate too: each names the field', async () => {
  const inventory = await postJson(`${h.chain.url('inventory')}/inventory/check`, { user_id: 1, product_name: 'Laptop', quantity: 1 });
  assert.deepEqual([inventory.status, inventory.body.field], [400, 'order_id']);
  const pricing = await postJson(`${h.chain.url('pricing')}/pricing/calculate`, {
    order_id: 1,
    user_id: 1,
    product_name: 'Laptop',
    quantity: 0,
  });
  assert.deepEqual([pricing.status, pricing.body.field], [400, 'quantity']);
  const notifications = await postJson(`${h.chain.url('notifications')}/notifications`, {
    order_id: 1,
    user_id: 1,
    product_name: 'Laptop',
    quantity: 1,
    total: -1,
    currency: 'USD',
  });
  assert.deepEqual([notifications.status, notifications.body.field], [400, 'total']);
});

test('unknown routes answer a JSON 404', async () => {
  for (const service of ['orders', 'inventory', 'pricing', 'notifications'] as const) {
    const response = await fetch(`${h.chain.url(service)}/nope`);
    assert.equal(response.status, 404);
    assert.equal(((await response.json()) as { error: string }).error, 'not_found');
  }
});
