// The OpenTelemetry bootstrap, shared by all four services. It is preloaded before the app:
//
//   node --require @demo/shared/telemetry dist/main.js
//
// so that the instrumentations patch http, express, fastify, undici and pino before the app
// requires them. Started without the --require (pricing in the Envoy, eBPF and "none" modes),
// no SDK is loaded at all: the app's own calls to @opentelemetry/api are then no-ops and no
// trace context crosses the service unless the app copies it by hand.
//
// Everything is configured with the standard OTEL_* variables:
//   OTEL_SERVICE_NAME                 orders, inventory, pricing, notifications
//   OTEL_EXPORTER_OTLP_ENDPOINT       default http://localhost:4317 (compose: http://otel-collector:4317)
//   OTEL_BSP_SCHEDULE_DELAY           how long finished spans wait before export (default here 1000 ms)
//   OTEL_BSP_MAX_QUEUE_SIZE, OTEL_BLRP_MAX_QUEUE_SIZE   spans / log records held while the
//                                     collector is away (default here 8192 each, SDK: 2048)
//   OTEL_BSP_EXPORT_TIMEOUT, OTEL_BLRP_EXPORT_TIMEOUT   how long one batch may take, retries
//                                     included (SDK default 30000 ms)
//   OTEL_EXPORTER_OTLP_TIMEOUT        one attempt's deadline (SDK default 10000 ms)
//   OTEL_METRIC_EXPORT_INTERVAL       default here 10000 ms, so dashboards move while you watch
//   OTEL_{TRACES,METRICS,LOGS}_EXPORTER=none   turns one signal off
//   OTEL_NODE_DISABLED_INSTRUMENTATIONS=express,pino   leaves those libraries unpatched
//   OTEL_NODE_ENABLED_INSTRUMENTATIONS=http,undici     patches only those (of http, express, fastify, undici, pino)
//
// The collector may be missing or restarting: spans and log records then wait in the batch
// processors' queues while the exporters retry (retrying-exporter.ts), off the request path;
// requests never wait for them. A batch is dropped only when the collector stays away longer
// than the export timeout minus one attempt's deadline (20 s by default), or when a queue is
// full (docs/resilience.md has what that means at the demo's load).

import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { PeriodicExportingMetricReader, AggregationType } from '@opentelemetry/sdk-metrics';
import { BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { getNodeAutoInstrumentations, type InstrumentationConfigMap } from '@opentelemetry/auto-instrumentations-node';
import { ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { envInt, envString } from './config';
import { onShutdownLast } from './shutdown';
import { RetryingExporter } from './retrying-exporter';

// Defaults that suit a demo better than the SDK's (5 s span delay, 60 s metric interval).
process.env.OTEL_BSP_SCHEDULE_DELAY ??= '1000';
const metricIntervalMs = envInt('OTEL_METRIC_EXPORT_INTERVAL', 10_000, { min: 100 });

// Room for 8192 spans and 8192 log records per service while the collector restarts: at 20
// orders/s the busiest service makes well under 200 of each per second, so the queues outlast
// the 20 s the exporters retry. A held span is about 1 KB of heap (the images cap it at 96 MB).
process.env.OTEL_BSP_MAX_QUEUE_SIZE ??= '8192';
const exportTimeoutMs = envInt('OTEL_BSP_EXPORT_TIMEOUT', 30_000, { min: 1000 });
const attemptTimeoutMs = envInt('OTEL_EXPORTER_OTLP_TIMEOUT', 10_000, { min: 100 });
// The last attempt must end before the processor gives the batch up, or two would overlap.
const retry = { giveUpAfterMs: Math.max(exportTimeoutMs - attemptTimeoutMs, 0) };

// The SDK reads OTEL_BLRP_* only for processors it builds itself; this one is built here.
const logProcessorOptions = {
  maxQueueSize: envInt('OTEL_BLRP_MAX_QUEUE_SIZE', 8192, { min: 1 }),
  maxExportBatchSize: envInt('OTEL_BLRP_MAX_EXPORT_BATCH_SIZE', 512, { min: 1 }),
  scheduledDelayMillis: envInt('OTEL_BLRP_SCHEDULE_DELAY', 1000, { min: 0 }),
  exportTimeoutMillis: envInt('OTEL_BLRP_EXPORT_TIMEOUT', 30_000, { min: 1000 }),
};
const logRetry = { giveUpAfterMs: Math.max(logProcessorOptions.exportTimeoutMillis - attemptTimeoutMs, 0) };

// Health checks run every few seconds in compose; tracing them would bury the orders.
const isHealthCheck = (url: string | undefined) => url === '/health';

// Request durations in a demo are milliseconds; the SDK's default buckets start at 5 ms,
// which would put every hop in the first bucket.
const latencyBucketsSeconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

// The standard switches to turn one signal off: OTEL_{TRACES,METRICS,LOGS}_EXPORTER=none.
const exporting = (signal: 'TRACES' | 'METRICS' | 'LOGS') => envString(`OTEL_${signal}_EXPORTER`, 'otlp') !== 'none';

// The instrumentations come from @opentelemetry/auto-instrumentations-node, with only the
// four these services use switched on: every other one it ships is listed in `notUsed` below
// and disabled. `enabled` is left unset on the four, so the package's own reading of
// OTEL_NODE_DISABLED_INSTRUMENTATIONS=express,pino (and OTEL_NODE_ENABLED_INSTRUMENTATIONS=http,...)
// still leaves them unpatched: for measuring what each instrumentation costs. An explicit
// `enabled: true` would win over both variables.
type Used = 'http' | 'express' | 'undici' | 'pino';
type PackageKey = keyof InstrumentationConfigMap;
// Every key of this package version that the services do not use. A Record over the
// remaining keys, so a package upgrade that adds an instrumentation fails to compile until
// it is listed here, instead of silently patching one more library.
const notUsed: Record<Exclude<PackageKey, `@opentelemetry/instrumentation-${Used}`>, { enabled: false }> = {
  '@opentelemetry/instrumentation-amqplib': { enabled: false },
  '@opentelemetry/instrumentation-aws-lambda': { enabled: false },
  '@opentelemetry/instrumentation-aws-sdk': { enabled: false },
  '@opentelemetry/instrumentation-bunyan': { enabled: false },
  '@opentelemetry/instrumentation-cassandra-driver': { enabled: false },
  '@opentelemetry/instrumentation-connect': { enabled: false },
  '@opentelemetry/instrumentation-cucumber': { enabled: false },
  '@opentelemetry/instrumentation-dataloader': { enabled: false },
  '@opentelemetry/instrumentation-dns': { enabled: false },
  '@opentelemetry/instrumentation-fs': { enabled: false },
  '@opentelemetry/instrumentation-generic-pool': { enabled: false },
  '@opentelemetry/instrumentation-graphql': { enabled: false },
  '@opentelemetry/instrumentation-grpc': { enabled: false },
  '@opentelemetry/instrumentation-hapi': { enabled: false },
  '@opentelemetry/instrumentation-host-metrics': { enabled: false },
  '@opentelemetry/instrumentation-ioredis': { enabled: false },
  '@opentelemetry/instrumentation-kafkajs': { enabled: false },
  '@opentelemetry/instrumentation-knex': { enabled: false },
  '@opentelemetry/instrumentation-koa': { enabled: false },
  '@opentelemetry/instrumentation-lru-memoizer': { enabled: false },
  '@opentelemetry/instrumentation-memcached': { enabled: false },
  '@opentelemetry/instrumentation-mongodb': { enabled: false },
  '@opentelemetry/instrumentation-mongoose': { enabled: false },
  '@opentelemetry/instrumentation-mysql': { enabled: false },
  '@opentelemetry/instrumentation-mysql2': { enabled: false },
  '@opentelemetry/instrumentation-nestjs-core': { enabled: false },
  '@opentelemetry/instrumentation-net': { enabled: false },
  '@opentelemetry/instrumentation-openai': { enabled: false },
  '@opentelemetry/instrumentation-oracledb': { enabled: false },
  '@opentelemetry/instrumentation-pg': { enabled: false },
  '@opentelemetry/instrumentation-redis': { enabled: false },
  '@opentelemetry/instrumentation-restify': { enabled: false },
  '@opentelemetry/instrumentation-router': { enabled: false },
  '@opentelemetry/instrumentation-runtime-node': { enabled: false },
  '@opentelemetry/instrumentation-socket.io': { enabled: false },
  '@opentelemetry/instrumentation-tedious': { enabled: false },
  '@opentelemetry/instrumentation-winston': { enabled: false },
};

const autoInstrumentations = getNodeAutoInstrumentations({
  ...notUsed,
  '@opentelemetry/instrumentation-http': { ignoreIncomingRequestHook: (request) => isHealthCheck(request.url) },
  // Express makes a span per middleware layer; only the route handler tells a reader anything.
  '@opentelemetry/instrumentation-express': { ignoreLayersType: [ExpressLayerType.MIDDLEWARE] },
  '@opentelemetry/instrumentation-undici': {},
  // Adds trace_id/span_id to every log line; sends the lines over OTLP unless logs are off.
  '@opentelemetry/instrumentation-pino': { disableLogSending: !exporting('LOGS') },
});

// Fastify is the one instrumentation still constructed here: this package version has no
// Fastify entry at all (it dropped @opentelemetry/instrumentation-fastify and never shipped
// @fastify/otel, the Fastify authors' own, which is what these services use), so its settings
// (registerOnInitialization, ignorePaths, instrumentHooks, instrumentHandler, requestHook)
// have nowhere to go in getNodeAutoInstrumentations. The package would also only log an
// unknown-name error for "fastify" in the two variables, so they are read here for it, with
// the package's rules: on unless OTEL_NODE_DISABLED_INSTRUMENTATIONS names it, or
// OTEL_NODE_ENABLED_INSTRUMENTATIONS is set and does not.
const envList = (name: string) =>
  envString(name, '')
    .split(',')
    .map((entry) => entry.trim());
const fastifyEnabled =
  !envList('OTEL_NODE_DISABLED_INSTRUMENTATIONS').includes('fastify') &&
  (envString('OTEL_NODE_ENABLED_INSTRUMENTATIONS', '') === '' || envList('OTEL_NODE_ENABLED_INSTRUMENTATIONS').includes('fastify'));
const fastifyInstrumentation = fastifyEnabled
  ? [
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        ignorePaths: (options) => isHealthCheck(options.url),
        // One span for the route, named like Express's; none per lifecycle hook or for the
        // handler inside it, which would only repeat the same interval.
        instrumentHooks: false,
        instrumentHandler: false,
        requestHook: (span) => span.updateName('request handler'),
      }),
    ]
  : [];

const spanExporter = new RetryingExporter(new OTLPTraceExporter(), retry);
const logExporter = new RetryingExporter(new OTLPLogExporter(), logRetry);

const sdk = new NodeSDK({
  ...(exporting('TRACES') ? { traceExporter: spanExporter } : { spanProcessors: [] }),
  metricReaders: exporting('METRICS')
    ? [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(), exportIntervalMillis: metricIntervalMs })]
    : [],
  logRecordProcessors: exporting('LOGS') ? [new BatchLogRecordProcessor({ ...logProcessorOptions, exporter: logExporter })] : [],
  views: [
    {
      instrumentName: 'http.*.request.duration',
      aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: latencyBucketsSeconds } },
    },
  ],
  instrumentations: [...autoInstrumentations, ...fastifyInstrumentation],
});

sdk.start();
// The final flush gets one try per batch: with the collector away, waiting for it would only
// hold the process past its shutdown deadline.
onShutdownLast('telemetry', () => {
  spanExporter.stopRetrying();
  logExporter.stopRetrying();
  return sdk.shutdown();
});

const endpoint = envString('OTEL_EXPORTER_OTLP_ENDPOINT', 'http://localhost:4317');
console.log(
  JSON.stringify({
    level: 'info',
    time: new Date().toISOString(),
    service: process.env.OTEL_SERVICE_NAME,
    msg: `telemetry: OpenTelemetry SDK started, exporting traces, metrics and logs over OTLP gRPC to the collector at ${endpoint}`,
  }),
);
