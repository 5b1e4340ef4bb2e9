import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from '@demo/tools';
import { startHarness, LAPTOP_ORDER } from '../harness/harness';

// OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf, the export path measured against gRPC in
// docs/benchmarks-levers.md: the services send the same three signals to the collector's
// port 4318 (the endpoint the test gives them). Real services, real collector, the receiver
// standing where Tempo and Loki stand.

const SERVICES = ['orders', 'inventory', 'pricing', 'notifications'];

test('OTLP over http/protobuf: one trace across the four services, log records with its trace id, the request counters', async () => {
  const h = await startHarness({ mode: 'sdk', withCollector: true, otlpProtocol: 'http/protobuf' });
  try {
    for (const service of SERVICES) {
      const log = fs.readFileSync(path.join(h.dataDir, `${service}.log`), 'utf8');
      assert.match(
        log,
        /exporting traces, metrics and logs over OTLP http\/protobuf to the collector at http:\/\/127\.0\.0\.1:\d+/,
        service,
      );
      assert.ok(log.includes(`:${h.collectorPorts!.http}`), `${service} sends to the collector's HTTP port`);
    }
    const placed = await h.postOrder(LAPTOP_ORDER);
    assert.equal(placed.status, 201, JSON.stringify(placed.body));
    const traceId = String(placed.body.trace_id);

    const servicesOf = () => new Set(h.sink!.spansOfTrace(traceId).map((span) => span.service));
    await waitFor(() => SERVICES.every((s) => servicesOf().has(s)), 15_000, 'spans of the order from all four services');
    const spans = h.sink!.spansOfTrace(traceId);
    const ids = new Set(spans.map((span) => span.spanId));
    const roots = spans.filter((span) => !ids.has(span.parentSpanId));
    assert.deepEqual(
      roots.map((span) => `${span.service} ${span.name}`),
      ['orders POST /orders'],
      'one tree, rooted at orders',
    );

    await waitFor(
      () => SERVICES.every((s) => h.sink!.logs.some((log) => log.service === s && log.traceId === traceId)),
      15_000,
      'log records with the trace id from all four services',
    );

    // The metrics reach the collector too: its Prometheus exporter shows the services' counters.
    await waitFor(
      async () => {
        const text = await (await fetch(`http://127.0.0.1:${h.collectorPorts!.prometheus}/metrics`)).text();
        return SERVICES.every((s) => new RegExp(`^${s}_service_requests_total\\{`, 'm').test(text));
      },
      30_000,
      'the four request counters at the collector',
    );
  } finally {
    await h.stop();
  }
});
