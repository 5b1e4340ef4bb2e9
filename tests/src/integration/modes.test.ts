import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ancestry,
  ENVOY_BINARY,
  ENVOY_CONFIG,
  fromRoot,
  observeOneOrder,
  renderEnvoyConfig,
  serverSpan,
  SPAN_KIND,
  type Mode,
  type ObservedOrder,
  waitFor,
} from '@demo/tools';
import { startHarness, type Harness } from '../harness/harness';

// The seed's lesson, proven with the real Envoy and the real collector: what one order's
// trace looks like in each mode.

const running: Harness[] = [];
after(async () => {
  for (const h of running) await h.stop();
});

async function orderIn(mode: Mode): Promise<{ h: Harness; observed: ObservedOrder }> {
  // One chain at a time: stop the previous mode's processes first.
  while (running.length) await running.pop()!.stop();
  const h = await startHarness({ mode, withCollector: true });
  running.push(h);
  const observed = await observeOneOrder(h.chain, h.sink!);
  assert.equal(observed.status, 201);
  assert.equal(observed.body.notification.status, 'sent');
  return { h, observed };
}

test('envoy --mode validate accepts envoy/envoy.yaml and the loopback rendering of it', () => {
  execFileSync(ENVOY_BINARY, ['--mode', 'validate', '-c', ENVOY_CONFIG], { encoding: 'utf8' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'envoy-validate-'));
  const file = path.join(dir, 'envoy.yaml');
  const ports = { orders: 1, inventory: 2, pricing: 3, notifications: 4, envoyIngress: 5, envoyEgress: 6, envoyAdmin: 7 };
  fs.writeFileSync(file, renderEnvoyConfig({ ports, otlpEndpoint: 'http://127.0.0.1:8', envoyFastFlush: true }));
  execFileSync(ENVOY_BINARY, ['--mode', 'validate', '-c', file], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true });
});

test('sdk: one trace through all four services', async () => {
  const { observed } = await orderIn('sdk');
  assert.equal(observed.traces.length, 1);
  assert.deepEqual(observed.traces[0]!.services, ['orders', 'inventory', 'pricing', 'notifications']);
});

test('none: the trace breaks at pricing, which leaves no spans; notifications starts a new trace', async () => {
  const { observed } = await orderIn('none');
  assert.equal(observed.traces.length, 2, JSON.stringify(observed.traces));
  const [first, second] = observed.traces;
  assert.equal(first!.traceId, observed.body.trace_id);
  assert.deepEqual(first!.services, ['orders', 'inventory']);
  assert.deepEqual(second!.services, ['notifications']);
  assert.equal(second!.rootService, 'notifications');
  assert.ok(!observed.spans.some((span) => span.service === 'pricing'), 'pricing produced spans without an SDK');
});

test("envoy: trace 1 ends at Envoy's ingress span; trace 2 starts at Envoy's egress span and holds notifications", async () => {
  const { observed } = await orderIn('envoy');
  assert.equal(observed.traces.length, 2, JSON.stringify(observed.traces));
  const [first, second] = observed.traces;
  assert.equal(first!.traceId, observed.body.trace_id);
  assert.deepEqual(first!.services, ['orders', 'inventory', 'pricing-envoy']);
  assert.deepEqual(second!.services, ['pricing-envoy', 'notifications']);
  assert.ok(!observed.spans.some((span) => span.service === 'pricing'), 'pricing itself must have no spans');

  const ingress = observed.spans.find((span) => span.traceId === first!.traceId && span.service === 'pricing-envoy')!;
  assert.equal(ingress.kind, SPAN_KIND.server);
  const inventoryCall = observed.spans.find((span) => span.spanId === ingress.parentSpanId)!;
  assert.deepEqual([inventoryCall.service, inventoryCall.kind], ['inventory', SPAN_KIND.client]);

  const secondSpans = observed.spans.filter((span) => span.traceId === second!.traceId);
  const egress = secondSpans.find((span) => span.service === 'pricing-envoy')!;
  assert.equal(egress.kind, SPAN_KIND.client);
  assert.equal(egress.parentSpanId, '', "Envoy's egress span is a root: nothing told it about trace 1");
  const firstIds = new Set(observed.spans.filter((span) => span.traceId === first!.traceId).map((span) => span.spanId));
  assert.ok(!secondSpans.some((span) => firstIds.has(span.parentSpanId)), 'a span of trace 2 points into trace 1');
});

test('envoy-propagation: one trace, inventory -> Envoy ingress -> Envoy egress -> notifications', async () => {
  const { h, observed } = await orderIn('envoy-propagation');
  assert.equal(observed.traces.length, 1, JSON.stringify(observed.traces));
  assert.deepEqual(observed.traces[0]!.services, ['orders', 'inventory', 'pricing-envoy', 'notifications']);
  const notifications = serverSpan(observed.spans, 'notifications')!;
  const chain = ancestry(notifications, observed.spans).map((span) => `${span.service}:${span.kind}`);
  assert.deepEqual(chain.slice(0, 3), [
    `pricing-envoy:${SPAN_KIND.client}`,
    `pricing-envoy:${SPAN_KIND.server}`,
    `inventory:${SPAN_KIND.client}`,
  ]);
  assert.ok(!observed.spans.some((span) => span.service === 'pricing'), 'pricing itself must have no spans');
  const propagated = h.chain.services.pricing.jsonLines().find((line) => String(line.msg).startsWith('Propagating header traceparent='));
  assert.ok(propagated, 'pricing did not log "Propagating header traceparent=..."');
  assert.match(String(propagated.msg), new RegExp(`^Propagating header traceparent=00-${observed.body.trace_id}-[0-9a-f]{16}-01$`));
});

test("zero-code: one trace; pricing's spans come from auto-instrumentations-node's libraries, none from its own code", async () => {
  const { h, observed } = await orderIn('zero-code');
  assert.equal(observed.traces.length, 1, JSON.stringify(observed.traces));
  assert.deepEqual(observed.traces[0]!.services, ['orders', 'inventory', 'pricing', 'notifications']);
  const pricing = observed.spans.filter((span) => span.service === 'pricing');
  const scopes = new Set(pricing.map((span) => span.scope));
  for (const library of ['http', 'express', 'undici'])
    assert.ok(scopes.has(`@opentelemetry/instrumentation-${library}`), [...scopes].join(', '));

  // The trace is whole because the http and undici instrumentations carry traceparent:
  // inventory's call -> pricing's server span -> ... -> pricing's call -> notifications.
  const server = serverSpan(observed.spans, 'pricing')!;
  assert.deepEqual(ancestry(server, observed.spans).map((span) => `${span.service}:${span.kind}`)[0], `inventory:${SPAN_KIND.client}`);
  const notifications = serverSpan(observed.spans, 'notifications')!;
  const caller = observed.spans.find((span) => span.spanId === notifications.parentSpanId)!;
  assert.deepEqual([caller.service, caller.kind, caller.scope], ['pricing', SPAN_KIND.client, '@opentelemetry/instrumentation-undici']);

  // What it does not see: pricing's SQLite queries, its business step, the order id on its spans.
  assert.deepEqual(
    pricing.filter((span) => Object.keys(span.attributes).some((key) => key.startsWith('db.'))).map((span) => span.name),
    [],
  );
  assert.ok(!pricing.some((span) => span.name === 'calculate price'));
  assert.ok(!pricing.some((span) => 'app.order.id' in span.attributes));
  assert.ok(
    observed.spans.some((span) => span.service === 'inventory' && 'db.system.name' in span.attributes),
    'inventory still shows its queries',
  );

  // Its logs still carry the trace: the pino instrumentation is among the package's defaults.
  await waitFor(
    () => h.sink!.logs.some((log) => log.service === 'pricing' && log.traceId === observed.body.trace_id),
    10_000,
    "pricing's log record with the order's trace id",
  );
});

test('npm run compare-modes -- --json reports each mode as the tests above see it', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [fromRoot('tools', 'dist', 'measure', 'compare-modes.js'), '--json'], {
    encoding: 'utf8',
    timeout: 180_000,
  });
  const report = JSON.parse(stdout) as Record<
    string,
    {
      traces: number;
      broken_at: string;
      no_database_spans: string[];
      fault_reaches_notifications: boolean;
      trace_list: { services: string[] }[];
    }
  >;
  const services = (mode: string) => report[mode]!.trace_list.map((trace) => trace.services);
  assert.deepEqual(Object.keys(report), ['none', 'envoy', 'envoy-propagation', 'zero-code', 'sdk']);
  assert.deepEqual(services('sdk'), [['orders', 'inventory', 'pricing', 'notifications']]);
  assert.deepEqual(services('none'), [['orders', 'inventory'], ['notifications']]);
  assert.deepEqual(services('envoy'), [
    ['orders', 'inventory', 'pricing-envoy'],
    ['pricing-envoy', 'notifications'],
  ]);
  assert.deepEqual(services('envoy-propagation'), [['orders', 'inventory', 'pricing-envoy', 'notifications']]);
  assert.deepEqual(services('zero-code'), [['orders', 'inventory', 'pricing', 'notifications']]);
  assert.equal(report.envoy!.traces, 2);
  const brokenAt = Object.fromEntries(Object.entries(report).map(([mode, result]) => [mode, result.broken_at]));
  assert.deepEqual(brokenAt, { none: 'pricing', envoy: 'pricing', 'envoy-propagation': '', 'zero-code': '', sdk: '' });
  const unseen = Object.fromEntries(Object.entries(report).map(([mode, result]) => [mode, result.no_database_spans]));
  // none: pricing left no span at all, so nothing says it answered; the sidecar and the
  // zero-code libraries saw it answer, but not its queries.
  assert.deepEqual(unseen, { none: [], envoy: ['pricing'], 'envoy-propagation': ['pricing'], 'zero-code': ['pricing'], sdk: [] });
  const faultArrives = Object.fromEntries(Object.entries(report).map(([mode, result]) => [mode, result.fault_reaches_notifications]));
  assert.deepEqual(faultArrives, { none: false, envoy: false, 'envoy-propagation': true, 'zero-code': true, sdk: true });
});
