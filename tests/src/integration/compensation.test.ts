import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, waitFor } from '@demo/tools';
import { startHarness, getJson, LAPTOP_ORDER, type Harness } from '../harness/harness';
import { delayingProxy, type DelayingProxy } from '../harness/stand-ins';

// When orders stops waiting, inventory may still finish the order and keep its stock. Orders
// then asks inventory to release that stock until it has: failed orders never hold stock.

let h: Harness;
let slowPricing: DelayingProxy;

before(async () => {
  const proxyPort = await freePort();
  h = await startHarness({
    mode: 'sdk',
    serviceEnv: {
      orders: { INVENTORY_TIMEOUT_MS: '700' },
      inventory: { PRICING_URL: `http://127.0.0.1:${proxyPort}`, PRICING_TIMEOUT_MS: '3000' },
    },
  });
  slowPricing = await delayingProxy(proxyPort, h.chain.url('pricing'), 0);
});
after(async () => {
  await slowPricing?.close();
  await h?.stop();
});

async function laptopStock(): Promise<number> {
  const { body } = await getJson(`${h.chain.url('inventory')}/inventory`);
  return body.products.find((product: { name: string }) => product.name === 'Laptop').stock;
}

test('an order orders gave up on gets its stock released once inventory is done with it', async () => {
  const stockBefore = await laptopStock();
  slowPricing.delayMs = 1500;
  const { status, body } = await h.postOrder(LAPTOP_ORDER);
  assert.equal(status, 504);
  assert.equal(body.dependency, 'inventory');
  slowPricing.delayMs = 0;
  // Inventory completes the order after orders gave up, taking 2 Laptops; orders' releaser
  // then asks for them back.
  await waitFor(
    async () =>
      (await laptopStock()) === stockBefore &&
      (h.db('orders').prepare('SELECT stock_release_pending AS p FROM orders WHERE id = ?').get(body.order_id) as any).p === 0,
    15_000,
    'stock released and the order no longer pending release',
  );
  const reservation = h.db('inventory').prepare('SELECT status FROM reservations WHERE order_id = ?').get(body.order_id) as any;
  assert.equal(reservation.status, 'released');
  const after = await h.postOrder(LAPTOP_ORDER);
  assert.equal(after.status, 201);
});

test('orders killed mid-order: at restart the order is marked failed and its stock released', async () => {
  const stockBefore = await laptopStock();
  slowPricing.delayMs = 400;
  const inFlight = h.postOrder(LAPTOP_ORDER).catch(() => undefined);
  await waitFor(
    () => (h.db('orders').prepare("SELECT COUNT(*) AS n FROM orders WHERE status = 'pending'").get() as any).n === 1,
    5000,
    'order in flight',
  );
  await h.chain.services.orders.kill();
  await inFlight;
  slowPricing.delayMs = 0;
  await h.chain.services.orders.start();
  const row = h.db('orders').prepare('SELECT id, status, failure_reason FROM orders ORDER BY id DESC LIMIT 1').get() as any;
  assert.equal(row.status, 'failed');
  assert.match(row.failure_reason, /in flight/);
  await waitFor(async () => (await laptopStock()) === stockBefore, 15_000, "the interrupted order's stock back on the shelf");
});
