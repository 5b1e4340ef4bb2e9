import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, getJson, LAPTOP_ORDER, type Harness } from '../harness/harness';
import { failingServer, hungServer, type StandIn } from '../harness/stand-ins';
import type { ServiceName } from '@demo/tools';

// A dependency that is down, hung or failing: the caller answers a clear 5xx naming it
// within its timeout (or, for notifications, a 201 saying the notification was skipped), the
// order row records what happened, reserved stock is given back, and the chain recovers once
// the dependency is back.

const TIMEOUTS = { inventory: 2500, pricing: 1200, notifications: 600 };
let h: Harness;

before(async () => {
  h = await startHarness({
    mode: 'sdk',
    serviceEnv: {
      orders: { INVENTORY_TIMEOUT_MS: String(TIMEOUTS.inventory) },
      inventory: { PRICING_TIMEOUT_MS: String(TIMEOUTS.pricing) },
      pricing: { NOTIFICATIONS_TIMEOUT_MS: String(TIMEOUTS.notifications) },
    },
  });
});
after(async () => {
  await h?.stop();
});

async function laptopStock(): Promise<number> {
  const { body } = await getJson(`${h.chain.url('inventory')}/inventory`);
  return body.products.find((product: { name: string }) => product.name === 'Laptop').stock;
}

function orderRow(id: number) {
  return h.db('orders').prepare('SELECT status, failure_reason FROM orders WHERE id = ?').get(id) as {
    status: string;
    failure_reason: string;
  };
}

/** Stops a service, optionally puts a stand-in on its port, runs the check, then restores it. */
async function withoutService(service: ServiceName, standIn: ((port: number) => Promise<StandIn>) | undefined, check: () => Promise<void>) {
  await h.chain.services[service].stop();
  const fake = standIn ? await standIn(h.chain.options.ports[service]) : undefined;
  try {
    await check();
  } finally {
    await fake?.close();
    await h.chain.services[service].start();
  }
  const recovered = await h.postOrder(LAPTOP_ORDER);
  assert.equal(recovered.status, 201, `chain did not recover after ${service} came back`);
  assert.equal(recovered.body.notification.status, 'sent');
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await fn();
  return [result, performance.now() - start];
}

test('notifications down: the order is confirmed and says the notification was skipped', async () => {
  await withoutService('notifications', undefined, async () => {
    const { status, body } = await h.postOrder(LAPTOP_ORDER);
    assert.equal(status, 201);
    assert.equal(body.status, 'confirmed');
    assert.equal(body.notification.status, 'skipped');
    assert.match(body.notification.reason, /notifications is unreachable/);
  });
});

test('notifications hung: pricing gives up after its timeout and the order is still confirmed', async () => {
  await withoutService('notifications', hungServer, async () => {
    const [{ status, body }, elapsed] = await timed(() => h.postOrder(LAPTOP_ORDER));
    assert.equal(status, 201);
    assert.equal(body.notification.status, 'skipped');
    assert.match(body.notification.reason, /notifications did not answer within 600 ms/);
    assert.ok(elapsed < TIMEOUTS.notifications + 1000, `took ${elapsed} ms`);
  });
});

test('pricing down: 502 naming pricing, order failed, stock given back', async () => {
  const stockBefore = await laptopStock();
  await withoutService('pricing', undefined, async () => {
    const { status, body } = await h.postOrder(LAPTOP_ORDER);
    assert.equal(status, 502);
    assert.equal(body.error, 'dependency_failed');
    assert.equal(body.dependency, 'pricing');
    assert.match(body.message, /pricing is unreachable/);
    assert.match(body.trace_id, /^[0-9a-f]{32}$/);
    assert.deepEqual(orderRow(body.order_id), { status: 'failed', failure_reason: body.message });
    assert.equal(await laptopStock(), stockBefore);
    const reservation = h.db('inventory').prepare('SELECT status FROM reservations WHERE order_id = ?').get(body.order_id) as any;
    assert.equal(reservation.status, 'released');
  });
});

test('pricing hung: 504 naming pricing within inventory timeout, stock given back', async () => {
  const stockBefore = await laptopStock();
  await withoutService('pricing', hungServer, async () => {
    const [{ status, body }, elapsed] = await timed(() => h.postOrder(LAPTOP_ORDER));
    assert.equal(status, 504);
    assert.equal(body.dependency, 'pricing');
    assert.match(body.message, /pricing did not answer within 1200 ms/);
    assert.ok(elapsed < TIMEOUTS.pricing + 1000, `took ${elapsed} ms`);
    assert.equal(orderRow(body.order_id).status, 'failed');
    assert.equal(await laptopStock(), stockBefore);
  });
});

test('pricing answering 500 with junk: 502 naming pricing', async () => {
  await withoutService('pricing', failingServer, async () => {
    const { status, body } = await h.postOrder(LAPTOP_ORDER);
    assert.equal(status, 502);
    assert.equal(body.dependency, 'pricing');
    assert.match(body.message, /pricing answered 500/);
    assert.equal(orderRow(body.order_id).status, 'failed');
  });
});

test('inventory down: 502 naming inventory, the order row records it', async () => {
  await withoutService('inventory', undefined, async () => {
    const { status, body } = await h.postOrder(LAPTOP_ORDER);
    assert.equal(status, 502);
    assert.equal(body.dependency, 'inventory');
    assert.match(body.message, /inventory is unreachable/);
    assert.equal(orderRow(body.order_id).status, 'failed');
  });
});

test('inventory hung: 504 naming inventory within orders timeout', async () => {
  await withoutService('inventory', hungServer, async () => {
    const [{ status, body }, elapsed] = await timed(() => h.postOrder(LAPTOP_ORDER));
    assert.equal(status, 504);
    assert.equal(body.dependency, 'inventory');
    assert.ok(elapsed < TIMEOUTS.inventory + 1000, `took ${elapsed} ms`);
    assert.equal(orderRow(body.order_id).status, 'failed');
  });
});
