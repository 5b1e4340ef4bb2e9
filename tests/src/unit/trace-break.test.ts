import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parser as traceQlParser } from '@grafana/lezer-traceql';
import {
  judgeOrder,
  orderLine,
  parseTraceQl,
  searchTraces,
  spansFromTempoTrace,
  traceById,
  toVerdictSpan,
  type SpanRecord,
} from '@demo/tools';
import { openOrdersDb } from '@demo/orders/dist/db';

// The pieces of "where the trace breaks" that need no running process: the TraceQL query
// the page sends (checked with Tempo's own grammar), the receiver's answers in Tempo's shapes,
// the verdict shared by the page and the terminal, and the orders.db migration for the mode.

const PAGE_QUERY = '{ span.app.order.id = 3 }';

/** The node names of a TraceQL parse, "⚠" where the grammar found an error. */
function traceQlNodes(query: string): string[] {
  const names: string[] = [];
  traceQlParser.parse(query).iterate({ enter: (node) => void names.push(node.type.isError ? '⚠' : node.name) });
  return names;
}

test("the page's query is a TraceQL spanset filter on the span attribute app.order.id, by Tempo's grammar", () => {
  const nodes = traceQlNodes(PAGE_QUERY);
  assert.ok(!nodes.includes('⚠'), nodes.join(' '));
  // span-scoped attribute app.order.id, compared with = to the integer 3
  for (const node of ['SpansetFilter', 'AttributeField', 'Span', 'Identifier', 'FieldOp', 'Integer'])
    assert.ok(nodes.includes(node), `${node} in ${nodes.join(' ')}`);
  // the grammar is not a rubber stamp: a filter without a value is an error
  assert.ok(traceQlNodes('{ span.app.order.id = }').includes('⚠'));
});

// ---- spans as the receiver stores them: an envoy-mode order 3 and an unrelated order 4 ----

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
  return {
    traceId,
    spanId,
    parentSpanId,
    service,
    name,
    kind,
    startNs: clock,
    endNs: clock + 500_000n,
    attributes,
    events: [],
    statusCode: 0,
    statusMessage: '',
  };
}
const T1 = '1'.repeat(32);
const T2 = '2'.repeat(32);
const T3 = '3'.repeat(32);
const envoyOrder = [
  span(T1, 'a000000000000001', '', 'web-ui', 'click', 1),
  span(T1, 'a000000000000002', 'a000000000000001', 'orders', 'POST /orders', 2, { 'app.order.id': 3 }),
  span(T1, 'a000000000000003', 'a000000000000002', 'inventory', 'POST /inventory/check', 2, { 'app.order.id': 3 }),
  span(T1, 'a000000000000004', 'a000000000000003', 'inventory', 'POST', 3),
  span(T1, 'a000000000000005', 'a000000000000004', 'pricing-envoy', 'ingress pricing', 2),
  span(T2, 'b000000000000001', '', 'pricing-envoy', 'egress notifications', 3),
  span(T2, 'b000000000000002', 'b000000000000001', 'notifications', 'POST /notifications', 2, { 'app.order.id': 3 }),
];
const otherOrder = [span(T3, 'c000000000000001', '', 'orders', 'POST /orders', 2, { 'app.order.id': 4 })];
const allSpans = [...envoyOrder, ...otherOrder];

test("the receiver's search finds both traces of an order, in Tempo's response shape, newest first", () => {
  const answer = searchTraces(allSpans, new URLSearchParams({ q: PAGE_QUERY, spss: '1' }));
  assert.equal(answer.status, 200);
  const body = answer.body as { traces: any[]; metrics: object };
  assert.deepEqual(
    body.traces.map((trace) => trace.traceID),
    [T2, T1],
  );
  const [second, first] = body.traces;
  assert.equal(first.rootServiceName, 'web-ui');
  assert.equal(first.rootTraceName, 'click');
  assert.equal(second.rootServiceName, 'pricing-envoy');
  assert.equal(typeof first.startTimeUnixNano, 'string');
  assert.equal(first.spanSets[0].matched, 2);
  assert.equal(first.spanSets[0].spans.length, 1, 'spss limits the spans per span set');
  assert.deepEqual(first.spanSets[0].spans[0].attributes, [{ key: 'app.order.id', value: { intValue: '3' } }]);
  assert.deepEqual(first.serviceStats.inventory, { spanCount: 2 });
  assert.ok('metrics' in body);
  // A string 3 is not the integer 3, as in TraceQL.
  assert.equal(
    (searchTraces(allSpans, new URLSearchParams({ q: '{ span.app.order.id = "3" }' })).body as { traces: unknown[] }).traces.length,
    0,
  );
  assert.deepEqual(
    (
      searchTraces(allSpans, new URLSearchParams({ q: '{ resource.service.name = "notifications" && span.app.order.id = 3 }' })).body as {
        traces: { traceID: string }[];
      }
    ).traces.map((t) => t.traceID),
    [T2],
  );
});

test('the search honours start and end (unix seconds), and refuses what it cannot run with 400 and a message', () => {
  const seconds = Number(clock / 1_000_000_000n);
  const inRange = searchTraces(allSpans, new URLSearchParams({ q: PAGE_QUERY, start: String(seconds - 60), end: String(seconds + 60) }));
  assert.equal((inRange.body as { traces: unknown[] }).traces.length, 2);
  const later = searchTraces(allSpans, new URLSearchParams({ q: PAGE_QUERY, start: String(seconds + 600), end: String(seconds + 660) }));
  assert.equal((later.body as { traces: unknown[] }).traces.length, 0);

  for (const [params, message] of [
    [{ q: '{ span.app.order.id > 3 }' }, /^invalid TraceQL query: cannot read the condition "span.app.order.id > 3"/],
    [{ q: 'junk' }, /^invalid TraceQL query: a spanset filter starts with \{/],
    [{ q: PAGE_QUERY, start: 'yesterday' }, /^invalid start: "yesterday" is not unix epoch seconds/],
    [{ q: PAGE_QUERY, start: '200', end: '100' }, /end is before start/],
    [{ q: PAGE_QUERY, limit: '0' }, /^invalid limit/],
  ] as const) {
    const answer = searchTraces(allSpans, new URLSearchParams(params));
    assert.equal(answer.status, 400, JSON.stringify(params));
    assert.match(String(answer.body), message);
  }
  assert.ok(parseTraceQl('{}').ok, 'the empty filter matches everything, as in Tempo');
});

test("trace-by-id answers in Tempo's protobuf JSON (base64 ids, kind names), which the page's reader turns back", () => {
  const answer = traceById(allSpans, T1);
  assert.equal(answer.status, 200);
  const batch = (answer.body as any).trace.resourceSpans.find((b: any) => b.resource.attributes[0].value.stringValue === 'pricing-envoy');
  const ingress = batch.scopeSpans[0].spans[0];
  assert.equal(ingress.spanId, Buffer.from('a000000000000005', 'hex').toString('base64'));
  assert.equal(ingress.kind, 'SPAN_KIND_SERVER');
  assert.equal(typeof ingress.startTimeUnixNano, 'string');
  const read = spansFromTempoTrace(answer.body, envoyOrder[0]!.startNs);
  const readIngress = read.find((s) => s.name === 'ingress pricing')!;
  assert.deepEqual(
    [readIngress.traceId, readIngress.spanId, readIngress.parentSpanId, readIngress.kind],
    [T1, 'a000000000000005', 'a000000000000004', 2],
  );
  assert.equal(read.find((s) => s.name === 'click')!.start, 0);
  assert.equal(traceById(allSpans, 'f'.repeat(32)).status, 404);
});

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
  assert.equal(
    orderLine(3, verdict),
    'order 3: 2 traces [web-ui → orders → inventory → pricing-envoy] | [pricing-envoy → notifications] broken at pricing',
  );
});

test('the verdict: with no sidecar (mode none) the break is still at pricing, found from the server span that starts trace 2', () => {
  const sqlLeaf = span(T1, 'a000000000000009', 'a000000000000002', 'orders', 'UPDATE orders', 3, { 'db.system.name': 'sqlite' });
  const none = [...envoyOrder.slice(1, 4), sqlLeaf, { ...envoyOrder[6]!, parentSpanId: '' }];
  const verdict = judgeOrder(none.map(toVerdictSpan));
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
  const verdict = judgeOrder(whole.map(toVerdictSpan));
  assert.deepEqual([verdict.traces.length, verdict.brokenAt, verdict.text], [1, '', '1 trace, nothing broken.']);
  assert.equal(orderLine(5, verdict), 'order 5: 1 trace [web-ui → orders → inventory → pricing-envoy → notifications] nothing broken');
});

test('orders.db from before the mode column: the migration keeps its rows and new orders record their mode', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'orders-migration-')), 'orders.db');
  const old = new Database(file);
  old.exec(`CREATE TABLE orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL, product_name TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'out_of_stock', 'failed')),
    total REAL, failure_reason TEXT, details TEXT, trace_id TEXT,
    stock_release_pending INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))`);
  old.prepare("INSERT INTO orders (user_id, product_name, quantity, status, total) VALUES (1, 'Mouse', 1, 'confirmed', 24.99)").run();
  old.close();

  const orders = openOrdersDb(file);
  const kept = orders.get(1)!;
  assert.deepEqual([kept.product_name, kept.status, kept.total, kept.mode], ['Mouse', 'confirmed', 24.99, null]);
  const id = orders.insertPending({ userId: 2, productName: 'Laptop', quantity: 1, traceId: null, mode: 'envoy' });
  assert.equal(orders.get(id)!.mode, 'envoy');
  orders.db.close();
  // Opening it again does not add the column twice.
  openOrdersDb(file).db.close();
});
