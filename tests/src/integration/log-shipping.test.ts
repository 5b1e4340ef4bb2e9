import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fromAttributes, waitFor, type LogRecord } from '@demo/tools';
import { startHarness, LAPTOP_ORDER, type Harness } from '../harness/harness';

// Log records leave the services from the main thread (instrumentation-pino, the default), or
// from a worker thread (LOG_SHIPPING=worker, batched; or pino's own transport, pino-transport).
// Through the real collector to the OTLP receiver standing where Loki stands, checked here:
//   - they look exactly as the main thread's did: same scope, severity, body, attribute keys,
//     trace and span ids, and the same resource as the service's spans;
//   - on SIGTERM no line is lost from a worker thread: every line the service printed reaches
//     the receiver, although the batch processor was told to hold records for ten minutes.

const SERVICES = ['orders', 'inventory', 'pricing', 'notifications'] as const;
type Service = (typeof SERVICES)[number];

const envForAll = (env: Record<string, string>) => Object.fromEntries(SERVICES.map((s) => [s, env]));

/** What must be identical whichever thread ships the records. */
function shape(log: LogRecord) {
  return {
    scope: log.scope,
    severity: log.severity,
    severityNumber: log.severityNumber,
    body: log.body,
    attributeKeys: Object.keys(log.attributes).sort(),
    resourceKeys: Object.keys(log.resource).sort(),
    hasSpan: /^[0-9a-f]{16}$/.test(log.spanId),
  };
}

async function logsOfOneOrder(h: Harness): Promise<{ traceId: string; logs: Map<Service, LogRecord[]> }> {
  const placed = await h.postOrder(LAPTOP_ORDER);
  assert.equal(placed.status, 201, JSON.stringify(placed.body));
  const traceId = String(placed.body.trace_id);
  const ofTrace = (service: Service) => h.sink!.logs.filter((log) => log.service === service && log.traceId === traceId);
  await waitFor(() => SERVICES.every((s) => ofTrace(s).length > 0), 15_000, 'log records of the order from every service');
  // Each service logs its lines within the request: give the last batch a moment to arrive.
  await new Promise((resolve) => setTimeout(resolve, 2500));
  return { traceId, logs: new Map(SERVICES.map((s) => [s, ofTrace(s)])) };
}

async function resourceOfSpans(h: Harness, traceId: string): Promise<Map<string, Record<string, unknown>>> {
  const spans = h.sink!.spansOfTrace(traceId);
  assert.ok(spans.length > 0, 'the order has spans');
  const answer = (await (await fetch(`${h.sink!.url}/api/v2/traces/${traceId}`)).json()) as {
    trace: { resourceSpans: { resource: { attributes: Parameters<typeof fromAttributes>[0] } }[] };
  };
  const byService = new Map<string, Record<string, unknown>>();
  for (const { resource } of answer.trace.resourceSpans) {
    const attributes = fromAttributes(resource.attributes);
    byService.set(String(attributes['service.name']), attributes);
  }
  return byService;
}

const normalise = (value: unknown) => JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v));

test("records shipped from a worker thread (batched, or pino's transport) match those the main thread shipped, with the spans' resource", async () => {
  const mainThread = await startHarness({ mode: 'sdk', withCollector: true, serviceEnv: envForAll({ LOG_SHIPPING: 'main-thread' }) });
  let before: Map<Service, LogRecord[]>;
  try {
    before = (await logsOfOneOrder(mainThread)).logs;
  } finally {
    await mainThread.stop();
  }

  for (const shipping of ['worker', 'pino-transport']) {
    const worker = await startHarness({ mode: 'sdk', withCollector: true, serviceEnv: envForAll({ LOG_SHIPPING: shipping }) });
    try {
      const { traceId, logs: after } = await logsOfOneOrder(worker);
      const spanIds = new Set(worker.sink!.spansOfTrace(traceId).map((span) => span.spanId));
      const spanResources = await resourceOfSpans(worker, traceId);
      for (const service of SERVICES) {
        const shapes = (logs: LogRecord[]) =>
          logs
            .map(shape)
            .map((s) => JSON.stringify(s))
            .sort();
        assert.deepEqual(
          shapes(after.get(service)!),
          shapes(before.get(service)!),
          `${service}: ${shipping}'s records differ from the main thread's`,
        );
        for (const log of after.get(service)!) {
          assert.equal(log.scope, '@opentelemetry/instrumentation-pino');
          assert.ok(spanIds.has(log.spanId), `${service} record "${String(log.body)}" names span ${log.spanId}, which is not in the trace`);
          assert.equal(
            normalise(log.resource),
            normalise(spanResources.get(service)),
            `${service}: log resource differs from its spans' resource`,
          );
          assert.ok(/^\d{19}$/.test(log.timeUnixNano), `${service}: timestamp ${log.timeUnixNano}`);
        }
      }
    } finally {
      await worker.stop();
    }
  }
});

// The worker threads read OTEL_BLRP_*; the main thread's processor (telemetry.ts) reads them
// once the nothing-lost branch's settings are merged: then add 'main-thread' here.
for (const shipping of ['worker', 'pino-transport']) {
  test(`on SIGTERM every printed line reaches the receiver, although the batch was still held (LOG_SHIPPING=${shipping})`, async () => {
    // Nothing leaves before shutdown: the processor would wait ten minutes for a batch of 10000.
    const holdEverything = {
      OTEL_BLRP_SCHEDULE_DELAY: '600000',
      OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '10000',
      OTEL_BLRP_MAX_QUEUE_SIZE: '20000',
    };
    const h = await startHarness({
      mode: 'sdk',
      withCollector: true,
      serviceEnv: envForAll({ ...holdEverything, LOG_SHIPPING: shipping }),
    });
    try {
      const placed = await h.postOrder(LAPTOP_ORDER);
      assert.equal(placed.status, 201, JSON.stringify(placed.body));
      const traceId = String(placed.body.trace_id);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      assert.equal(h.sink!.logs.length, 0, 'records left before shutdown: the test would prove nothing');

      await h.chain.stop(); // SIGTERM to each service, as docker compose stop sends

      // Every pino line each service printed (its stdout, in the harness's log files), shipped.
      const allLines = (service: Service) =>
        fs
          .readFileSync(path.join(h.dataDir, `${service}.log`), 'utf8')
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as { msg: string; trace_id?: string });
      const isBootstrapLine = (line: { msg: string }) => line.msg.startsWith('telemetry:'); // its console.log, not pino
      const printed = (service: Service) => allLines(service).filter((line) => !isBootstrapLine(line));
      const shipped = (service: Service) => h.sink!.logs.filter((log) => log.service === service);
      await waitFor(() => SERVICES.every((s) => shipped(s).length >= printed(s).length), 15_000, 'every printed line at the receiver');
      for (const service of SERVICES) {
        const lines = printed(service);
        // The worker thread inherits --require: the bootstrap must not start a second SDK there.
        assert.equal(allLines(service).filter(isBootstrapLine).length, 1, `${service}: the SDK started more than once`);
        assert.ok(
          lines.some((line) => line.msg === 'received SIGTERM, shutting down'),
          `${service} logged its shutdown`,
        );
        assert.ok(
          lines.some((line) => line.trace_id === traceId),
          `${service} logged inside the order's trace`,
        );
        assert.deepEqual(
          shipped(service)
            .map((log) => String(log.body))
            .sort(),
          lines.map((line) => line.msg).sort(),
          `${service}: the lines printed and the records received differ`,
        );
      }
    } finally {
      await h.stop();
    }
  });
}
