import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, getJson, postJson, LAPTOP_ORDER, type Harness } from '../harness/harness';

let h: Harness;
before(async () => {
  h = await startHarness({ mode: 'sdk' });
});
after(async () => {
  await h?.stop();
});

test('a concurrent burst never oversells: exactly the stock is confirmed', async () => {
  const inventory = h.chain.url('inventory');
  const keyboards = (await getJson(`${inventory}/inventory`)).body.products.find((p: any) => p.name === 'Keyboard').stock as number;
  const orders = 3 * keyboards;
  const results = await Promise.all(
    Array.from({ length: orders }, (_, i) => h.postOrder({ user_id: 5000 + i, product_name: 'Keyboard', quantity: 1 })),
  );
  assert.deepEqual(new Set(results.map((r) => r.status)), new Set([201]));
  const confirmed = results.filter((r) => r.body.status === 'confirmed').length;
  const outOfStock = results.filter((r) => r.body.status === 'out_of_stock').length;
  assert.equal(confirmed, keyboards);
  assert.equal(outOfStock, orders - keyboards);
  const stock = (await getJson(`${inventory}/inventory`)).body.products.find((p: any) => p.name === 'Keyboard').stock;
  assert.equal(stock, 0);
  const reserved = h
    .db('inventory')
    .prepare("SELECT SUM(quantity) AS n FROM reservations WHERE product_name = 'Keyboard' AND status = 'reserved'")
    .get() as any;
  assert.equal(reserved.n, keyboards);
  await postJson(`${inventory}/inventory/restock`, { product_name: 'Keyboard', quantity: 100 });
});

test('an order answered 201 survives kill -9 and a restart of every service', async () => {
  const placed = await h.postOrder(LAPTOP_ORDER);
  assert.equal(placed.status, 201);
  for (const service of Object.values(h.chain.services)) await service.kill();
  for (const service of ['notifications', 'pricing', 'inventory', 'orders'] as const) await h.chain.services[service].start();
  const after = await getJson(`${h.chain.ordersUrl}/orders/${placed.body.order_id}`);
  assert.equal(after.status, 200);
  assert.equal(after.body.status, 'confirmed');
  assert.equal(after.body.trace_id, placed.body.trace_id);
  const next = await h.postOrder(LAPTOP_ORDER);
  assert.equal(next.status, 201);
  assert.ok(next.body.order_id > placed.body.order_id);
});

test('SIGTERM stops every service promptly and cleanly', async () => {
  for (const service of Object.values(h.chain.services)) {
    const start = performance.now();
    const code = await service.stop();
    assert.equal(code, 0, `${service.name} exited with ${code}`);
    assert.ok(performance.now() - start < 5000, `${service.name} took too long to stop`);
  }
});
