import { test } from 'node:test';
import assert from 'node:assert/strict';
import { traceById, toVerdictSpan, type SpanRecord } from '@demo/tools';
import { judgeOrder, normalizeTraceId, orderLine, spansFromTempoTrace } from '@demo/trace-verdict';
import { spanRecord } from '../harness/span-records';

// Where an order's traces break (@demo/trace-verdict, shared by the page and the terminal),
// from spans as the receiver stores them and as Tempo's trace-by-id answers them.

// ---- spans as the receiver stores them: an envoy-mode order 3 ----

let clock = 1_767_000_000_000_000_000n;
function span(
  traceId: string,
  spanId: string,
  parentSpanId: string,
  service: string,
  name: string,
  kind: number,
  attributes: Record<string, unknown> = {},
): SpanRecord {
  clock += 1_000_000n;
  return spanRecord({ traceId, spanId, parentSpanId, service, name, kind, startNs: clock, attributes });
}
const T1 = '1'.repeat(32);
const T2 = '2'.repeat(32);
const envoyOrder = [
  span(T1, 'a000000000000001', '', 'web-ui', 'click', 1),
  span(T1, 'a000000000000002', 'a000000000000001', 'orders', 'POST /orders', 2, { 'app.order.id': 3 }),
  span(T1, 'a000000000000003', 'a000000000000002', 'inventory', 'POST /inventory/check', 2, { 'app.order.id': 3 }),
  span(T1, 'a000000000000004', 'a000000000000003', 'inventory', 'POST', 3),
  span(T1, 'a000000000000005', 'a000000000000004', 'pricing-envoy', 'ingress pricing', 2),
  span(T2, 'b000000000000001', '', 'pricing-envoy', 'egress notifications', 3),
  span(T2, 'b000000000000002', 'b000000000000001', 'notifications', 'POST /notifications', 2, { 'app.order.id': 3 }),
];

/** The order's spans plus one SQLite span under each server span of orders, inventory and notifications, as those services make. */
function withQueries(spans: SpanRecord[]): SpanRecord[] {
  const queries = spans
    .filter((s) => s.kind === 2 && ['orders', 'inventory', 'notifications'].includes(s.service))
    .map((s) => span(s.traceId, `d${s.spanId.slice(1)}`, s.spanId, s.service, `INSERT ${s.service}`, 3, { 'db.system.name': 'sqlite' }));
  return [...spans, ...queries];
}

test('the verdict: envoy mode breaks at pricing (Envoy ingress ends trace 1, Envoy egress starts trace 2)', () => {
  const verdict = judgeOrder(envoyOrder.map(toVerdictSpan));
  assert.equal(verdict.brokenAt, 'pricing');
  assert.deepEqual(
    verdict.traces.map((trace) => trace.label),
    ['web-ui', 'pricing-envoy (egress)'],
  );
  assert.deepEqual(
    verdict.traces[0]!.rows.map((row) => row.depth),
    [0, 1, 2, 3, 4],
    'a tree: each span one deeper than its parent',
  );
  assert.match(
    verdict.text,
    /trace 1 ends at pricing-envoy: ingress pricing, with no child .* trace 2 starts at pricing-envoy: egress notifications, with no parent\. pricing forwarded no traceparent/,
  );
  assert.deepEqual(verdict.noDatabaseSpans, ['orders', 'inventory', 'pricing', 'notifications'], 'this fixture has no SQLite spans');
  const withSql = judgeOrder(withQueries(envoyOrder).map(toVerdictSpan));
  assert.deepEqual(withSql.noDatabaseSpans, ['pricing'], 'Envoy saw pricing answer, but none of its queries');
  assert.equal(
    orderLine(3, withSql),
    'order 3: 2 traces [web-ui → orders → inventory → pricing-envoy] | [pricing-envoy → notifications] broken at pricing · pricing: no database spans',
  );
});

test('the verdict: with no sidecar (mode none) the break is still at pricing, found from the server span that starts trace 2', () => {
  const sqlLeaf = span(T1, 'a000000000000009', 'a000000000000002', 'orders', 'UPDATE orders', 3, { 'db.system.name': 'sqlite' });
  const none = [...envoyOrder.slice(1, 4), sqlLeaf, { ...envoyOrder[6]!, parentSpanId: '' }];
  const verdict = judgeOrder(withQueries(none).map(toVerdictSpan));
  assert.equal(verdict.brokenAt, 'pricing');
  assert.match(verdict.text, /trace 1 ends at inventory: POST, with no child/);
  assert.equal(orderLine(3, verdict), 'order 3: 2 traces [orders → inventory] | [notifications] broken at pricing');
});

test('the verdict: one trace is whole', () => {
  const whole = [
    ...envoyOrder.slice(0, 5),
    { ...envoyOrder[5]!, traceId: T1, parentSpanId: 'a000000000000005' },
    { ...envoyOrder[6]!, traceId: T1 },
  ];
  const verdict = judgeOrder(withQueries(whole).map(toVerdictSpan));
  assert.deepEqual([verdict.traces.length, verdict.brokenAt, verdict.text], [1, '', '1 trace, nothing broken.']);
  assert.equal(
    orderLine(5, verdict),
    'order 5: 1 trace [web-ui → orders → inventory → pricing-envoy → notifications] nothing broken · pricing: no database spans',
  );
});

test('the verdict names a service that answered with no database span, and not one that failed before its queries or left no span', () => {
  const zeroCode = [
    span(T1, 'c000000000000001', '', 'orders', 'POST /orders', 2),
    span(T1, 'c000000000000002', 'c000000000000001', 'orders', 'INSERT orders', 3, { 'db.system.name': 'sqlite' }),
    span(T1, 'c000000000000003', 'c000000000000001', 'pricing', 'POST /pricing/calculate', 2),
    span(T1, 'c000000000000004', 'c000000000000003', 'pricing', 'request handler - /pricing/calculate', 1, {
      'http.route': '/pricing/calculate',
    }),
  ];
  assert.deepEqual(judgeOrder(zeroCode.map(toVerdictSpan)).noDatabaseSpans, ['pricing']);
  const failed = zeroCode.map((s) => (s.service === 'pricing' ? { ...s, statusCode: 2 } : s));
  assert.deepEqual(judgeOrder(failed.map(toVerdictSpan)).noDatabaseSpans, [], 'a request that failed may never have reached its queries');
  assert.deepEqual(judgeOrder(zeroCode.slice(0, 2).map(toVerdictSpan)).noDatabaseSpans, [], 'no span, nothing to say');
  const sdk = [
    ...zeroCode,
    span(T1, 'c000000000000005', 'c000000000000004', 'pricing', 'SELECT prices', 3, { 'db.system.name': 'sqlite' }),
  ];
  assert.deepEqual(judgeOrder(sdk.map(toVerdictSpan)).noDatabaseSpans, []);
});

test('the same trace fetched twice (its id 31 and 32 characters long) is drawn once, span by span', () => {
  // Tempo's search trims the leading zero; orders answers 32 characters: one spelling for both.
  assert.equal(normalizeTraceId('AF7651916CD43DD8448EB211C80319C'), '0af7651916cd43dd8448eb211c80319c');
  assert.equal(normalizeTraceId('0af7651916cd43dd8448eb211c80319c'), '0af7651916cd43dd8448eb211c80319c');
  const answer = traceById(envoyOrder, T1).body;
  const twice = [...spansFromTempoTrace(answer, 0n), ...spansFromTempoTrace(answer, 0n)];
  const verdict = judgeOrder(twice);
  assert.equal(verdict.traces.length, 1);
  assert.equal(verdict.traces[0]!.rows.length, 5, 'each of the 5 spans once');
  assert.deepEqual(spansFromTempoTrace({ trace: {}, metrics: {} }, 0n), [], "Tempo's answer for an id it does not hold");
});

test('spans whose parents form a loop are still each drawn once, never repeated or dropped', () => {
  const loop = [
    { ...envoyOrder[1]!, parentSpanId: envoyOrder[2]!.spanId },
    { ...envoyOrder[2]!, parentSpanId: envoyOrder[1]!.spanId },
  ];
  const verdict = judgeOrder(loop.map(toVerdictSpan));
  assert.deepEqual(
    verdict.traces[0]!.rows.map((row) => row.span.spanId),
    [envoyOrder[1]!.spanId, envoyOrder[2]!.spanId],
  );
});
