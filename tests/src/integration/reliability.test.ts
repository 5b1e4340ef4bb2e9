import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkOrderItem } from '@demo/shared';
import { waitFor, sleep, type Mode, type ServiceName } from '@demo/tools';
import { startHarness, getJson, postJson, type Harness } from '../harness/harness';
import { runLoad, startLoad, countBy, type LoadResult } from '../harness/load';

// Load, faults, junk and durability: what held, in counts. Loopback only, bounded in time.

const TIMEOUTS = { orders: 3000, inventory: 2000, pricing: 1000 };
const summary: string[] = [];
const running: Harness[] = [];

after(async () => {
  for (const h of running) await h.stop();
  console.log(`\nReliability summary\n${summary.map((line) => `  ${line}`).join('\n')}\n`);
});

async function harness(mode: Mode, withCollector = false): Promise<Harness> {
  while (running.length) await running.pop()!.stop();
  const h = await startHarness({
    mode,
    withCollector,
    serviceEnv: {
      orders: { INVENTORY_TIMEOUT_MS: String(TIMEOUTS.orders) },
      inventory: { PRICING_TIMEOUT_MS: String(TIMEOUTS.inventory) },
      pricing: { NOTIFICATIONS_TIMEOUT_MS: String(TIMEOUTS.pricing) },
    },
  });
  running.push(h);
  await postJson(`${h.chain.url('inventory')}/inventory/restock`, { product_name: 'Mouse', quantity: 1_000_000 });
  return h;
}

const mixedOrder = (i: number) =>
  i % 5 === 0
    ? { user_id: 2000 + i, product_name: 'Laptop', quantity: 1 + (i % 2) }
    : { user_id: 2000 + i, product_name: 'Mouse', quantity: 1 + (i % 3) };

/** Stock taken from the shelf equals stock held by reservations equals what confirmed orders hold. */
async function assertStockConsistent(h: Harness): Promise<void> {
  await waitFor(
    () => (h.db('orders').prepare('SELECT COUNT(*) AS n FROM orders WHERE stock_release_pending = 1').get() as any).n === 0,
    20_000,
    'pending stock releases',
  );
  const held = h
    .db('inventory')
    .prepare("SELECT product_name, SUM(quantity) AS n FROM reservations WHERE status = 'reserved' GROUP BY product_name")
    .all() as any[];
  const confirmed = h
    .db('orders')
    .prepare("SELECT product_name, SUM(quantity) AS n FROM orders WHERE status = 'confirmed' GROUP BY product_name")
    .all() as any[];
  assert.deepEqual(
    Object.fromEntries(held.map((r) => [r.product_name, r.n])),
    Object.fromEntries(confirmed.map((r) => [r.product_name, r.n])),
  );
  const stock = (await getJson(`${h.chain.url('inventory')}/inventory`)).body.products as { name: string; stock: number }[];
  const seeded: Record<string, number> = { Laptop: 25, Mouse: 200 + 1_000_000, Keyboard: 100 };
  for (const product of stock) {
    const taken = seeded[product.name]! - product.stock;
    assert.equal(taken, held.find((r) => r.product_name === product.name)?.n ?? 0, `${product.name}: taken ${taken}`);
  }
}

function assertEvery201Stored(h: Harness, results: LoadResult[]): void {
  const accepted = results.filter((r) => r.status === 201);
  const rows = h.db('orders').prepare('SELECT id, status FROM orders').all() as { id: number; status: string }[];
  const byId = new Map(rows.map((row) => [row.id, row.status]));
  for (const result of accepted) {
    assert.equal(
      byId.get(result.body.order_id),
      result.body.status,
      `order ${result.body.order_id} answered 201 but stored as ${byId.get(result.body.order_id)}`,
    );
  }
}

test('load: 2000 orders at concurrency 64, no 5xx, every 201 stored, stock consistent', async () => {
  const h = await harness('sdk');
  const results = await runLoad({ url: `${h.chain.ordersUrl}/orders`, total: 2000, concurrency: 64, body: mixedOrder });
  const statuses = countBy(results, (r) => String(r.status));
  assert.deepEqual(Object.keys(statuses), ['201'], JSON.stringify(statuses));
  assertEvery201Stored(h, results);
  await assertStockConsistent(h);
  const outcomes = countBy(results, (r) => r.body.status);
  summary.push(`load: 2000 orders, concurrency 64 -> ${JSON.stringify(outcomes)}, 0 x 5xx, all stored, stock consistent`);
});

for (const victim of ['inventory', 'pricing', 'notifications'] as const) {
  test(`fault: ${victim} killed with SIGKILL mid-load and restarted`, async () => {
    const h = await harness('sdk');
    // Load keeps flowing while the victim is killed and restarted, and for 200 requests after.
    let firstAfterRestart = Number.POSITIVE_INFINITY;
    const load = startLoad({
      url: `${h.chain.ordersUrl}/orders`,
      total: 20_000,
      concurrency: 16,
      body: mixedOrder,
      stopWhen: (started) => started >= firstAfterRestart + 200,
    });
    await waitFor(() => load.started >= 150, 30_000, '150 requests sent');
    await h.chain.services[victim].kill();
    await sleep(500);
    await h.chain.services[victim].start();
    firstAfterRestart = load.started;
    const results = await load.results;
    const statuses = countBy(results, (r) => String(r.status));
    const failures = results.filter((r) => r.status !== 201);
    for (const failure of failures) {
      assert.ok(
        [502, 504].includes(failure.status),
        `unexpected answer ${failure.status} ${JSON.stringify(failure.body ?? failure.error)}`,
      );
      assert.equal(failure.body.dependency, victim, JSON.stringify(failure.body));
    }
    if (victim === 'notifications') assert.equal(failures.length, 0, 'a notification failure must never fail an order');
    const slowest = Math.max(...results.map((r) => r.ms));
    assert.ok(slowest < TIMEOUTS.orders + 1500, `a request took ${slowest.toFixed(0)} ms`);
    const afterRestart = results.filter((r) => r.index >= firstAfterRestart);
    assert.ok(afterRestart.length >= 200);
    assert.deepEqual(
      countBy(afterRestart, (r) => String(r.status)),
      { '201': afterRestart.length },
      'service did not fully resume after the restart',
    );
    assertEvery201Stored(h, results);
    await assertStockConsistent(h);
    const skipped = results.filter((r) => r.body?.notification?.status === 'skipped').length;
    summary.push(
      `fault: ${victim} kill -9 after 150 requests, restarted 0.5 s later -> ${JSON.stringify(statuses)}${skipped ? `, ${skipped} notifications skipped` : ''}, slowest ${slowest.toFixed(0)} ms, all ${afterRestart.length} after the restart 201, stock consistent`,
    );
  });
}

test('fault: the collector killed mid-load fails no request', async () => {
  const h = await harness('sdk', true);
  const results = await runLoad({
    url: `${h.chain.ordersUrl}/orders`,
    total: 400,
    concurrency: 16,
    body: mixedOrder,
    onResult: async (_result, done) => {
      if (done === 100) await h.collector!.kill();
    },
  });
  const statuses = countBy(results, (r) => String(r.status));
  assert.deepEqual(Object.keys(statuses), ['201'], JSON.stringify(statuses));
  summary.push(`fault: collector kill -9 at request 100 of 400 -> ${JSON.stringify(statuses)}`);
});

test('fault: Envoy killed in envoy mode: inventory answers a clear error naming pricing', async () => {
  const h = await harness('envoy');
  await h.chain.envoy!.kill();
  const { status, body } = await h.postOrder({ user_id: 1, product_name: 'Mouse', quantity: 1 });
  assert.equal(status, 502);
  assert.equal(body.dependency, 'pricing');
  assert.match(body.message, /pricing is unreachable/);
  await h.chain.envoy!.start();
  assert.equal((await h.postOrder({ user_id: 1, product_name: 'Mouse', quantity: 1 })).status, 201);
  summary.push('fault: Envoy kill -9 -> 502 naming pricing; 201 again after Envoy restarted');
});

test('junk: generated bodies, headers and paths always get a 4xx JSON answer and store nothing', async () => {
  const h = await harness('sdk');
  const endpoints: [ServiceName, string][] = [
    ['orders', '/orders'],
    ['inventory', '/inventory/check'],
    ['inventory', '/inventory/restock'],
    ['inventory', '/inventory/release'],
    ['pricing', '/pricing/calculate'],
    ['notifications', '/notifications'],
  ];
  const counts = () =>
    ['orders', 'inventory', 'pricing', 'notifications'].map((s) => {
      const table = { orders: 'orders', inventory: 'reservations', pricing: 'quotes', notifications: 'notifications' }[s]!;
      return (
        h
          .db(s as ServiceName)
          .prepare(`SELECT COUNT(*) AS n FROM ${table}`)
          .get() as any
      ).n as number;
    });
  const before = counts();
  let tried = 0;
  const answers: Record<string, number> = {};
  const isJunk = (body: unknown) => !checkOrderItem(body).ok;
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...endpoints), fc.jsonValue().filter(isJunk), async ([service, path], body) => {
      const response = await postJson(`${h.chain.url(service)}${path}`, JSON.stringify(body));
      tried++;
      answers[response.status] = (answers[response.status] ?? 0) + 1;
      return response.status >= 400 && response.status < 500 && typeof response.body?.error === 'string';
    }),
    { numRuns: 300 },
  );
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...endpoints), fc.string({ maxLength: 200 }), async ([service, path], raw) => {
      const response = await fetch(`${h.chain.url(service)}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: raw,
      });
      tried++;
      const parsed = (await response.json()) as { error?: string };
      return response.status >= 400 && response.status < 500 && typeof parsed.error === 'string';
    }),
    {
      numRuns: 200,
      examples: ['{"a":', '\u0000', '[]', '{"__proto__": {"x": 1}}'].map((raw) => [endpoints[0]!, raw] as [[ServiceName, string], string]),
    },
  );
  await fc.assert(
    fc.asyncProperty(fc.webPath(), async (path) => {
      const response = await fetch(`${h.chain.ordersUrl}/${path.replace(/^\/+/, '')}x`);
      tried++;
      await response.text();
      return response.status < 500;
    }),
    { numRuns: 200 },
  );
  assert.deepEqual(counts(), before, 'junk stored rows');
  summary.push(
    `junk: ${tried} generated requests (bodies, raw text, paths) -> ${JSON.stringify(answers)} for JSON bodies, 0 x 5xx, 0 rows stored`,
  );
});

test('junk: hostile traceparent, tracestate and baggage headers never break a request', async () => {
  const h = await harness('sdk');
  const headerValue = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 300 });
  let tried = 0;
  await fc.assert(
    fc.asyncProperty(headerValue, headerValue, headerValue, async (traceparent, tracestate, baggage) => {
      const response = await postJson(
        `${h.chain.ordersUrl}/orders`,
        { user_id: 1, product_name: 'Mouse', quantity: 1 },
        { traceparent, tracestate, baggage },
      );
      tried++;
      return response.status === 201 && /^[0-9a-f]{32}$/.test(response.body.trace_id);
    }),
    {
      numRuns: 150,
      examples: [
        ['00-ffffffffffffffffffffffffffffffff-ffffffffffffffff-ff', 'a=b,'.repeat(70), 'k=v;'.repeat(70)],
        ['00-00000000000000000000000000000000-0000000000000000-01', '', ''],
      ],
    },
  );
  summary.push(`junk: ${tried} orders with generated traceparent/tracestate/baggage -> all 201 with a valid trace id`);

  // Faults ride in baggage: junk after "demo.fault=" and a fault past the 8 KiB baggage limit
  // must be ignored, not turned into an error or a delay.
  const faultJunk = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 });
  const oversized = `${'junk=x,'.repeat(1300)}demo.fault=orders:error`;
  let faultTried = 0;
  await fc.assert(
    fc.asyncProperty(faultJunk, async (value) => {
      const response = await postJson(
        `${h.chain.ordersUrl}/orders`,
        { user_id: 1, product_name: 'Mouse', quantity: 1 },
        { baggage: `demo.fault=${value}` },
      );
      faultTried++;
      return response.status === 201 && response.body.notification.status === 'sent';
    }),
    { numRuns: 100, examples: [['orders:error:'], ['orders%3Aerror%'], ['ORDERS:ERROR'], [' :error']] },
  );
  const start = performance.now();
  const response = await postJson(
    `${h.chain.ordersUrl}/orders`,
    { user_id: 1, product_name: 'Mouse', quantity: 1 },
    { baggage: oversized },
  );
  assert.equal(response.status, 201, 'a fault past the baggage size limit must not be read');
  summary.push(
    `junk: ${faultTried} orders with generated demo.fault values and one with a ${oversized.length}-byte baggage -> all 201 (${(performance.now() - start).toFixed(0)} ms for the oversized one)`,
  );
});

test('junk: an oversized body is refused early, without reading it all', async () => {
  const h = await harness('sdk');
  const start = performance.now();
  const response = await fetch(`${h.chain.ordersUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: 'x'.repeat(8 * 1024 * 1024),
  });
  assert.equal(response.status, 413);
  assert.ok(performance.now() - start < 3000);
  summary.push(`junk: 8 MiB body -> 413 in ${(performance.now() - start).toFixed(0)} ms`);
});

test('durability: kill -9 right after a burst of 201s loses no acknowledged order', async () => {
  const h = await harness('sdk');
  const results = await runLoad({ url: `${h.chain.ordersUrl}/orders`, total: 300, concurrency: 30, body: mixedOrder });
  await h.chain.services.orders.kill();
  await h.chain.services.orders.start();
  const acknowledged = results.filter((r) => r.status === 201);
  assert.equal(acknowledged.length, 300);
  assertEvery201Stored(h, results);
  summary.push(`durability: 300 orders answered 201, orders killed with SIGKILL at once -> all 300 present after restart`);
});
