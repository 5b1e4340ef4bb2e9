import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import {
  ancestry,
  fromRoot,
  COLLECTOR_BINARY,
  COLLECTOR_CONFIG,
  freePort,
  observeOneOrder,
  prometheusProcess,
  PROMETHEUS_CONFIG,
  PROMETHEUS_RULES_DIR,
  PROMTOOL_BINARY,
  prometheusTool,
  queryPrometheus,
  serverSpan,
  SPAN_KIND,
  waitFor,
  type ManagedProcess,
  type ObservedOrder,
  type SpanRecord,
} from '@demo/tools';
import { startHarness, LAPTOP_ORDER, type Harness } from '../harness/harness';

// Telemetry really flows: services (SDK) -> the real collector -> an OTLP receiver standing
// where Tempo and Loki stand, and -> Prometheus scraping the collector. sdk mode.

const SERVICES = ['orders', 'inventory', 'pricing', 'notifications'] as const;
const metricsEveryFewSeconds = { OTEL_METRIC_EXPORT_INTERVAL: '1000' };

let h: Harness;
let prometheus: ManagedProcess;
let prometheusPort: number;
let observed: ObservedOrder;

before(async () => {
  h = await startHarness({
    mode: 'sdk',
    withCollector: true,
    serviceEnv: Object.fromEntries(SERVICES.map((s) => [s, metricsEveryFewSeconds])),
  });
  prometheusPort = await freePort();
  const ports = h.collectorPorts!;
  prometheus = prometheusProcess({
    port: prometheusPort,
    dataDir: path.join(h.dataDir, 'prometheus'),
    collector: ports,
    scrapeInterval: '1s',
  });
  await prometheus.start();
  observed = await observeOneOrder(h.chain, h.sink!, LAPTOP_ORDER);
});
after(async () => {
  await prometheus?.stop();
  await h?.stop();
});

test('the collector binary accepts the config compose mounts', () => {
  const output = execFileSync(COLLECTOR_BINARY, ['validate', '--config', COLLECTOR_CONFIG], { encoding: 'utf8' });
  assert.doesNotMatch(output, /error/i);
});

test('promtool accepts prometheus.yml and its rules, laid out as compose and the chart mount them in /etc/prometheus', () => {
  const etc = fs.mkdtempSync(path.join(os.tmpdir(), 'etc-prometheus-'));
  fs.copyFileSync(PROMETHEUS_CONFIG, path.join(etc, 'prometheus.yml'));
  fs.copyFileSync(path.join(PROMETHEUS_RULES_DIR, 'alert-rules.yml'), path.join(etc, 'alert-rules.yml'));
  const output = execFileSync(prometheusTool(PROMTOOL_BINARY), ['check', 'config', path.join(etc, 'prometheus.yml')], { encoding: 'utf8' });
  assert.match(output, /SUCCESS: 3 rules found/);
  fs.rmSync(etc, { recursive: true });
});

test('one order makes exactly one trace holding all four services', () => {
  assert.equal(observed.status, 201);
  assert.equal(observed.traces.length, 1, JSON.stringify(observed.traces));
  const [trace] = observed.traces;
  assert.equal(trace!.traceId, observed.body.trace_id);
  assert.deepEqual(trace!.services, ['orders', 'inventory', 'pricing', 'notifications']);
  assert.equal(trace!.rootService, 'orders');
});

test('the parent chain runs orders -> inventory -> pricing -> notifications through client and server spans', () => {
  const { spans } = observed;
  const hops: [string, string][] = [
    ['orders', 'inventory'],
    ['inventory', 'pricing'],
    ['pricing', 'notifications'],
  ];
  for (const [caller, callee] of hops) {
    const server = serverSpan(spans, callee);
    assert.ok(server, `${callee} has no server span`);
    const parent = spans.find((span) => span.spanId === server.parentSpanId);
    assert.ok(parent, `${callee}'s server span has no parent in the trace`);
    assert.equal(parent.service, caller, `${callee}'s server span is a child of ${parent.service}`);
    assert.equal(parent.kind, SPAN_KIND.client, `${callee}'s parent is not a client span`);
  }
  const notifications = serverSpan(spans, 'notifications')!;
  const services = ancestry(notifications, spans).map((span) => span.service);
  assert.deepEqual([...new Set(services)], ['pricing', 'inventory', 'orders']);
});

test("each service's SQLite spans sit under its request span and carry the query", () => {
  for (const service of SERVICES) {
    const dbSpans = observed.spans.filter((span) => span.service === service && span.attributes['db.system.name'] === 'sqlite');
    assert.ok(dbSpans.length > 0, `${service} has no SQLite spans`);
    const server = serverSpan(observed.spans, service)!;
    for (const span of dbSpans) {
      assert.equal(span.kind, SPAN_KIND.client);
      assert.match(String(span.attributes['db.query.text']), /^(SELECT|INSERT|UPDATE|DELETE) /);
      assert.ok(span.attributes['db.collection.name'], `${span.name} has no table`);
      const up = ancestry(span, observed.spans);
      assert.ok(up.includes(server), `${service}'s "${span.name}" is not under its server span`);
    }
  }
});

test("the logs that reached the receiver carry the trace's ids, for every service", async () => {
  const traceId = observed.body.trace_id as string;
  const spanIds = new Set(observed.spans.map((span) => span.spanId));
  await waitFor(
    () => SERVICES.every((s) => h.sink!.logs.some((log) => log.service === s && log.traceId === traceId)),
    10_000,
    'logs from every service',
  );
  for (const service of SERVICES) {
    const logs = h.sink!.logs.filter((log) => log.service === service && log.traceId === traceId);
    assert.ok(logs.length > 0, `no log of ${service} carries the trace id`);
    for (const log of logs)
      assert.ok(spanIds.has(log.spanId), `${service} log ${JSON.stringify(log.body)} names span ${log.spanId}, which is not in the trace`);
  }
});

test('Prometheus has the request counters, counting the requests made', async () => {
  // Two more orders: orders has then handled 3 POST /orders; each other service 3 calls too.
  await h.postOrder(LAPTOP_ORDER);
  await h.postOrder({ user_id: 1, product_name: 'Mouse', quantity: 1 });
  for (const service of SERVICES) {
    const query = `sum(${service}_service_requests_total{http_request_method="POST"})`;
    const value = await waitFor(
      async () => {
        const result = await queryPrometheus(prometheusPort, query);
        return result[0]?.value === 3 ? 3 : undefined;
      },
      20_000,
      `${query} == 3 (last: ${JSON.stringify(await queryPrometheus(prometheusPort, query))})`,
    );
    assert.equal(value, 3);
  }
});

test("Prometheus has the collector's span metrics (RED) for every service", async () => {
  for (const service of SERVICES) {
    const query = `sum(traces_span_metrics_calls_total{service_name="${service}", span_kind="SPAN_KIND_SERVER"})`;
    await waitFor(async () => ((await queryPrometheus(prometheusPort, query))[0]?.value ?? 0) >= 1, 20_000, query);
  }
  const histogram = await queryPrometheus(prometheusPort, 'count(traces_span_metrics_duration_milliseconds_bucket)');
  assert.ok((histogram[0]?.value ?? 0) > 0, 'no span duration histogram');
});

test('every metric the Grafana dashboard queries from the collector exists in Prometheus', async () => {
  const dashboard = fs.readFileSync(fromRoot('grafana', 'dashboards', 'otel-demo-services.json'), 'utf8');
  const expressions = [...dashboard.matchAll(/"expr":\s*"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
  const names = new Set(
    expressions.flatMap((expr) => [...expr.matchAll(/\b([a-z_]+_(?:total|bucket|sum|count|seconds|milliseconds))\b/g)].map((m) => m[1]!)),
  );
  assert.ok(names.size >= 4, `found only ${[...names].join(', ')}`);
  for (const name of names) {
    await waitFor(
      async () => (await queryPrometheus(prometheusPort, `count(${name})`)).length > 0,
      20_000,
      `the dashboard's metric ${name} in Prometheus`,
    );
  }
});

test('with notifications down, the failure shows as error spans with an exception event where it failed', async () => {
  await h.chain.services.notifications.stop();
  try {
    h.sink!.clear();
    const response = await h.postOrder(LAPTOP_ORDER);
    assert.equal(response.body.notification.status, 'skipped');
    const traceId = response.body.trace_id as string;
    const isFailure = (span: SpanRecord) => span.service === 'pricing' && span.statusCode === 2;
    await waitFor(() => h.sink!.spansOfTrace(traceId).some(isFailure), 15_000, "pricing's error span");
    const failed = h.sink!.spansOfTrace(traceId).filter(isFailure);
    assert.ok(
      failed.some((span) => span.kind === SPAN_KIND.client),
      'the call to notifications is not an error client span',
    );
    assert.ok(
      failed.some((span) => span.events.some((event) => event.name === 'exception')),
      'no exception event',
    );
    assert.ok(failed.some((span) => span.attributes['demo.failed_dependency'] === 'notifications'));
  } finally {
    await h.chain.services.notifications.start();
  }
});

test('with the collector stopped, requests answer normally; telemetry resumes when it is back', async () => {
  await h.collector!.stop();
  const timings: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    const response = await h.postOrder({ user_id: 1, product_name: 'Mouse', quantity: 1 });
    timings.push(performance.now() - start);
    assert.equal(response.status, 201);
  }
  assert.ok(Math.max(...timings) < 1000, `a request took ${Math.max(...timings)} ms with the collector down`);
  await h.collector!.start();
  h.sink!.clear();
  const response = await h.postOrder({ user_id: 1, product_name: 'Mouse', quantity: 1 });
  // gRPC reconnects with backoff (1 s, then x1.6): give it time, but it must come back.
  await waitFor(() => h.sink!.spansOfTrace(response.body.trace_id).length > 0, 45_000, 'spans after the collector restarted');
});
