import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { INJECTED_DELAY_MS } from '@demo/shared';
import { ancestry, observeOneOrder, serverSpan, SPAN_KIND, type Mode, type ObservedOrder, type SpanRecord } from '@demo/tools';
import { startHarness, LAPTOP_ORDER, type Harness } from '../harness/harness';

// Faults asked for in W3C baggage (demo.fault=<service>:<kind>), with the real services, the
// real collector and, in the Envoy modes, the real Envoy. Each test checks that the named
// service shows the fault in its spans and that the others do not.

let current: { mode: Mode; h: Harness } | undefined;
after(async () => current?.h.stop());

async function harnessIn(mode: Mode): Promise<Harness> {
  if (current?.mode === mode) return current.h;
  await current?.h.stop();
  current = { mode, h: await startHarness({ mode, withCollector: true }) };
  return current.h;
}

async function orderWithFault(mode: Mode, fault: string): Promise<ObservedOrder> {
  const h = await harnessIn(mode);
  return observeOneOrder(h.chain, h.sink!, LAPTOP_ORDER, { baggage: `demo.fault=${fault}` });
}

const durationMs = (span: SpanRecord) => Number(span.endNs - span.startNs) / 1e6;
const named = (spans: SpanRecord[], name: string) => spans.filter((span) => span.name === name);
const ERROR = 2;

test('sdk, pricing:slow: a one-second "injected delay" span under pricing, and only there', async () => {
  const observed = await orderWithFault('sdk', 'pricing:slow');
  assert.equal(observed.status, 201);
  assert.equal(observed.traces.length, 1);
  const delays = named(observed.spans, 'injected delay');
  assert.equal(delays.length, 1, 'exactly one service waited');
  const [delay] = delays;
  assert.equal(delay!.service, 'pricing');
  assert.ok(durationMs(delay!) >= INJECTED_DELAY_MS - 5, `delay span lasted ${durationMs(delay!)} ms`);
  assert.equal(delay!.attributes['demo.fault'], 'pricing:slow');
  assert.ok(ancestry(delay!, observed.spans).includes(serverSpan(observed.spans, 'pricing')!), "the delay is inside pricing's request");
  assert.ok(durationMs(serverSpan(observed.spans, 'notifications')!) < INJECTED_DELAY_MS / 2, 'notifications was not slowed');
  assert.ok(!observed.spans.some((span) => span.statusCode === ERROR), 'a slow order is not a failed one');
});

test('sdk, notifications:error: notifications answers 500, the order is confirmed with "notification: skipped"', async () => {
  const observed = await orderWithFault('sdk', 'notifications:error');
  assert.equal(observed.status, 201);
  assert.equal(observed.body.status, 'confirmed');
  assert.equal(observed.body.notification.status, 'skipped');
  assert.match(observed.body.notification.reason, /notifications answered 500: notifications failed on purpose/);
  assert.equal(serverSpan(observed.spans, 'notifications')!.statusCode, ERROR);
  const injected = named(observed.spans, 'injected error');
  assert.deepEqual(
    injected.map((span) => [span.service, span.statusCode]),
    [['notifications', ERROR]],
  );
  for (const service of ['orders', 'inventory'])
    assert.notEqual(serverSpan(observed.spans, service)!.statusCode, ERROR, `${service} must not fail`);
});

test('sdk, inventory:slow-query: one slow SQL span in inventory; every other statement stays fast', async () => {
  const observed = await orderWithFault('sdk', 'inventory:slow-query');
  assert.equal(observed.status, 201);
  const sql = observed.spans.filter((span) => span.attributes['db.system.name'] === 'sqlite');
  const slow = sql.filter((span) => durationMs(span) >= 50);
  assert.equal(slow.length, 1, `slow statements: ${slow.map((span) => `${span.service} ${span.name} ${durationMs(span)}ms`).join(', ')}`);
  assert.equal(slow[0]!.service, 'inventory');
  assert.match(String(slow[0]!.attributes['db.query.text']), /^WITH RECURSIVE scan/);
  assert.equal(slow[0]!.kind, SPAN_KIND.client);
  assert.ok(sql.length > 5, 'the ordinary statements are traced too');
});

test('sdk, inventory:error: orders answers 502 naming inventory and keeps the order as failed', async () => {
  const observed = await orderWithFault('sdk', 'inventory:error');
  assert.equal(observed.status, 502);
  assert.equal(observed.body.error, 'dependency_failed');
  assert.equal(observed.body.dependency, 'inventory');
  assert.match(observed.body.message, /inventory answered 500: inventory failed on purpose/);
  const row = current!.h.db('orders').prepare('SELECT status FROM orders WHERE id = ?').get(observed.body.order_id) as { status: string };
  assert.equal(row.status, 'failed');
  assert.equal(serverSpan(observed.spans, 'inventory')!.statusCode, ERROR);
  assert.ok(!observed.spans.some((span) => span.service === 'pricing'), 'pricing was never called');
});

test('sdk, pricing:error: orders answers 502 naming pricing, not inventory', async () => {
  const observed = await orderWithFault('sdk', 'pricing:error');
  assert.equal(observed.status, 502);
  assert.equal(observed.body.dependency, 'pricing');
  assert.deepEqual(
    named(observed.spans, 'injected error').map((span) => span.service),
    ['pricing'],
  );
});

test('sdk, orders:error: orders answers 500 injected_fault and stores nothing', async () => {
  const h = await harnessIn('sdk');
  const before = (h.db('orders').prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n;
  const observed = await orderWithFault('sdk', 'orders:error');
  assert.equal(observed.status, 500);
  assert.deepEqual([observed.body.error, observed.body.service], ['injected_fault', 'orders']);
  const afterCount = (h.db('orders').prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n;
  assert.equal(afterCount, before);
});

test('sdk: unknown, malformed or foreign fault values are ignored, never an error', async () => {
  for (const baggage of [
    'demo.fault=pricing:explode',
    'demo.fault=billing:slow',
    'demo.fault=%zz',
    'demo.fault=pricing',
    'demo.fault=pricing:slow:now',
    'other.key=pricing:error',
  ]) {
    const h = await harnessIn('sdk');
    const observed = await observeOneOrder(h.chain, h.sink!, LAPTOP_ORDER, { baggage });
    assert.equal(observed.status, 201, baggage);
    assert.equal(observed.body.notification.status, 'sent', baggage);
    assert.ok(!observed.spans.some((span) => span.name.startsWith('injected ')), `${baggage} injected something`);
  }
});

test('envoy: a fault for notifications is lost at pricing, like the trace; a fault for pricing still works', async () => {
  const lost = await orderWithFault('envoy', 'notifications:error');
  assert.equal(lost.status, 201);
  assert.equal(lost.body.notification.status, 'sent', 'the baggage must not cross pricing when pricing copies no headers');

  const slow = await orderWithFault('envoy', 'pricing:slow');
  assert.equal(slow.status, 201);
  const ingress = slow.spans.find((span) => span.service === 'pricing-envoy' && span.kind === SPAN_KIND.server)!;
  assert.ok(durationMs(ingress) >= INJECTED_DELAY_MS - 5, `Envoy's ingress span lasted ${durationMs(ingress)} ms`);
  assert.ok(!slow.spans.some((span) => span.service === 'pricing'), 'pricing has no SDK, so no span of its own');
});

test('envoy-propagation: the fault crosses pricing with the trace headers and reaches notifications', async () => {
  const observed = await orderWithFault('envoy-propagation', 'notifications:error');
  assert.equal(observed.status, 201);
  assert.equal(observed.body.notification.status, 'skipped');
  assert.equal(serverSpan(observed.spans, 'notifications')!.statusCode, ERROR);
  assert.equal(observed.traces.length, 1);
});
