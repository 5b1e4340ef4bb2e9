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
//   OTEL_EXPORTER_OTLP_PROTOCOL       grpc (default) or http/protobuf (then the endpoint is port 4318)
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
// and two of this project's, for measuring what they cost (docs/benchmarks-levers.md):
//   LOG_SHIPPING=main-thread          log records go out from the main thread (worker, pino-transport: a worker thread)
//   SDK_HTTP_CLIENT_METRICS=false     no http.client.request.duration histogram (true: recorded)
//
// The collector may be missing or restarting: spans and log records then wait in the batch
// processors' queues while the exporters retry (retrying-exporter.ts), off the request path;
// requests never wait for them. A batch is dropped only when the collector stays away longer
// than the export timeout minus one attempt's deadline (20 s by default), or when a queue is
// full (docs/resilience.md has what that means at the demo's load).

import { NodeSDK } from '@opentelemetry/sdk-node';
import * as grpc from './otlp-grpc';
import * as httpProtobuf from './otlp-http-protobuf';
import { PeriodicExportingMetricReader, AggregationType } from '@opentelemetry/sdk-metrics';
import { BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  osDetector,
  processDetector,
  serviceInstanceIdDetector,
} from '@opentelemetry/resources';
import { createNoopMeter, type MeterProvider } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { ConfigError, envBool, envInt, envString } from './config';
import { onShutdownLast } from './shutdown';
import { RetryingExporter } from './retrying-exporter';
import { shipLogsThroughWorker, type BatchSettings, type LogShipping } from './log-shipping';
import { markOwnTelemetryStarted } from './own-telemetry';

// The batch processors are built here, each from its standard variables read once, by one
// rule (config.ts: a value out of range stops the service, naming the variable). The SDK
// builds its span processor from OTEL_BSP_* only when it builds it itself, and reads
// OTEL_BLRP_* only for log processors of its own; the log worker (log-shipping.ts) is handed
// the same settings. Room for 8192 spans and 8192 log records per service while the
// collector restarts (the SDK's default is 2048): at 20 orders/s the busiest service makes
// well under 200 of each per second, so the queues outlast the 20 s the exporters retry. A
// held span is about 1 KB of heap (the images cap it at 96 MB). A batch leaves after 1 s,
// not the SDK's 5 s: the learner looks for the trace seconds after the order.
function batchSettings(prefix: 'OTEL_BSP' | 'OTEL_BLRP'): BatchSettings {
  return {
    maxQueueSize: envInt(`${prefix}_MAX_QUEUE_SIZE`, 8192, { min: 1 }),
    maxExportBatchSize: envInt(`${prefix}_MAX_EXPORT_BATCH_SIZE`, 512, { min: 1 }),
    scheduledDelayMillis: envInt(`${prefix}_SCHEDULE_DELAY`, 1000, { min: 0 }),
    exportTimeoutMillis: envInt(`${prefix}_EXPORT_TIMEOUT`, 30_000, { min: 1000 }),
  };
}
const spanBatches = batchSettings('OTEL_BSP');
const logBatches = batchSettings('OTEL_BLRP');
// 10 s instead of the SDK's 60 s, so dashboards move while you watch.
const metricIntervalMs = envInt('OTEL_METRIC_EXPORT_INTERVAL', 10_000, { min: 100 });
const attemptTimeoutMs = envInt('OTEL_EXPORTER_OTLP_TIMEOUT', 10_000, { min: 100 });
// The last attempt must end before the processor gives the batch up, or two would overlap.
const retry = { giveUpAfterMs: Math.max(spanBatches.exportTimeoutMillis - attemptTimeoutMs, 0) };
const logRetry = { giveUpAfterMs: Math.max(logBatches.exportTimeoutMillis - attemptTimeoutMs, 0) };

// Health checks run every few seconds in compose; tracing them would bury the orders.
const isHealthCheck = (url: string | undefined) => url === '/health';

// Request durations in a demo are milliseconds; the SDK's default buckets start at 5 ms,
// which would put every hop in the first bucket.
const latencyBucketsSeconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

// The standard switches to turn one signal off: OTEL_{TRACES,METRICS,LOGS}_EXPORTER=none.
const exporting = (signal: 'TRACES' | 'METRICS' | 'LOGS') => envString(`OTEL_${signal}_EXPORTER`, 'otlp') !== 'none';

// The four instrumentations these services use, each from its own package (not
// @opentelemetry/auto-instrumentations-node, which would install some forty more), plus
// @fastify/otel below. The standard variables still switch each one off, with the rules
// auto-instrumentations-node applies: on unless OTEL_NODE_DISABLED_INSTRUMENTATIONS names it,
// or OTEL_NODE_ENABLED_INSTRUMENTATIONS is set and does not (for measuring what each costs).
type Used = 'http' | 'express' | 'undici' | 'pino' | 'fastify';
const envList = (name: string) =>
  envString(name, '')
    .split(',')
    .map((entry) => entry.trim());
const instrumenting = (name: Used) =>
  !envList('OTEL_NODE_DISABLED_INSTRUMENTATIONS').includes(name) &&
  (envString('OTEL_NODE_ENABLED_INSTRUMENTATIONS', '') === '' || envList('OTEL_NODE_ENABLED_INSTRUMENTATIONS').includes(name));

// OTLP over gRPC to the collector's port 4317 (the design), or OTEL_EXPORTER_OTLP_PROTOCOL=
// http/protobuf to its port 4318: the same protobuf messages without gRPC's framing, measured
// side by side in docs/benchmarks-levers.md.
const protocol = envString('OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc');
if (protocol !== 'grpc' && protocol !== 'http/protobuf') {
  throw new ConfigError(`OTEL_EXPORTER_OTLP_PROTOCOL must be grpc or http/protobuf, got "${protocol}"`);
}
// Where log records leave the process (log-shipping.ts). The main thread by default: a worker
// halves what a line costs the request path, but its V8 isolate adds 30-40 MB per service
// under load, which the containers' 160 MB limits cannot spare (docs/benchmarks-levers.md).
const logShipping = envString('LOG_SHIPPING', 'main-thread') as LogShipping;
if (!['worker', 'pino-transport', 'main-thread'].includes(logShipping)) {
  throw new ConfigError(`LOG_SHIPPING must be worker, pino-transport or main-thread, got "${logShipping}"`);
}
const shipsLogsFromMainThread = exporting('LOGS') && logShipping === 'main-thread';

// The undici instrumentation records http.client.request.duration for every outgoing call.
// Nothing reads it: the dashboard's latency panel reads the server histogram, and the
// collector's span metrics give every hop's rate, errors and duration. Recording it costs CPU
// on every request, so it is off unless SDK_HTTP_CLIENT_METRICS=true.
const clientMetrics = envBool('SDK_HTTP_CLIENT_METRICS', false);
const noMeters: MeterProvider = { getMeter: () => createNoopMeter() };

const undici = new UndiciInstrumentation({});
const pino = new PinoInstrumentation({ disableLogSending: !shipsLogsFromMainThread });
const instrumentations: Instrumentation[] = [
  ...(instrumenting('http') ? [new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => isHealthCheck(request.url) })] : []),
  // Express makes a span per middleware layer; only the route handler tells a reader anything.
  ...(instrumenting('express') ? [new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] })] : []),
  ...(instrumenting('undici') ? [undici] : []),
  // Adds trace_id/span_id to every log line; sends the lines over OTLP itself only when
  // LOG_SHIPPING=main-thread (otherwise the worker does).
  ...(instrumenting('pino') ? [pino] : []),
  // Fastify's is the Fastify authors' own, @fastify/otel.
  ...(instrumenting('fastify')
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
    : []),
];

// The resource is built here, not by the SDK, so the log worker can carry the very same one:
// the SDK's default detectors, in its order. service.instance.id is random per detection and
// process.* differ in a worker thread, so those two are detected once and handed over.
const instanceAndProcess = detectResources({ detectors: [serviceInstanceIdDetector, processDetector] });
const resource = defaultResource()
  .merge(instanceAndProcess)
  .merge(detectResources({ detectors: [hostDetector, osDetector, envDetector] }));
// As with instrumentation-pino's own sending, no pino instrumentation means no log records.
if (exporting('LOGS') && logShipping !== 'main-thread' && instrumenting('pino')) {
  shipLogsThroughWorker(logShipping, {
    resourceAttributes: instanceAndProcess.attributes,
    scope: { name: pino.instrumentationName, version: pino.instrumentationVersion },
    protocol,
    batches: logBatches,
  });
}

const otlp = protocol === 'grpc' ? grpc : httpProtobuf;
const spanExporter = new RetryingExporter(new otlp.OTLPTraceExporter(), retry);
const logExporter = new RetryingExporter(new otlp.OTLPLogExporter(), logRetry);

const sdk = new NodeSDK({
  resource,
  autoDetectResources: false,
  spanProcessors: exporting('TRACES') ? [new BatchSpanProcessor({ ...spanBatches, exporter: spanExporter })] : [],
  metricReaders: exporting('METRICS')
    ? [new PeriodicExportingMetricReader({ exporter: new otlp.OTLPMetricExporter(), exportIntervalMillis: metricIntervalMs })]
    : [],
  logRecordProcessors: exporting('LOGS') ? [new BatchLogRecordProcessor({ ...logBatches, exporter: logExporter })] : [],
  views: [
    {
      instrumentName: 'http.*.request.duration',
      aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: latencyBucketsSeconds } },
    },
  ],
  instrumentations,
});

sdk.start();
markOwnTelemetryStarted();
if (!clientMetrics) undici.setMeterProvider(noMeters);
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
    msg: `telemetry: OpenTelemetry SDK started, exporting traces, metrics and logs over OTLP ${protocol === 'grpc' ? 'gRPC' : 'http/protobuf'} to the collector at ${endpoint}`,
  }),
);
