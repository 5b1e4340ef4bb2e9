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
//   OTEL_METRIC_EXPORT_INTERVAL       default here 10000 ms, so dashboards move while you watch
//   OTEL_{TRACES,METRICS,LOGS}_EXPORTER=none   turns one signal off
//   OTEL_NODE_DISABLED_INSTRUMENTATIONS=express,pino   leaves those libraries unpatched
//
// The collector may be missing or down: the gRPC exporters then drop each batch after its
// timeout, off the request path, and requests never wait for them.

import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { PeriodicExportingMetricReader, AggregationType } from '@opentelemetry/sdk-metrics';
import { BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { envInt, envString } from './config';
import { onShutdownLast } from './shutdown';

// Defaults that suit a demo better than the SDK's (5 s span delay, 60 s metric interval).
process.env.OTEL_BSP_SCHEDULE_DELAY ??= '1000';
const metricIntervalMs = envInt('OTEL_METRIC_EXPORT_INTERVAL', 10_000, { min: 100 });

// Health checks run every few seconds in compose; tracing them would bury the orders.
const isHealthCheck = (url: string | undefined) => url === '/health';

// Request durations in a demo are milliseconds; the SDK's default buckets start at 5 ms,
// which would put every hop in the first bucket.
const latencyBucketsSeconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

// The standard switches to turn one signal off: OTEL_{TRACES,METRICS,LOGS}_EXPORTER=none.
const exporting = (signal: 'TRACES' | 'METRICS' | 'LOGS') => envString(`OTEL_${signal}_EXPORTER`, 'otlp') !== 'none';

// OTEL_NODE_DISABLED_INSTRUMENTATIONS=express,pino (the variable auto-instrumentations-node
// reads) leaves those libraries unpatched: for measuring what each instrumentation costs.
const disabled = new Set(envString('OTEL_NODE_DISABLED_INSTRUMENTATIONS', '').split(',').map((name) => name.trim()));
const unless = <T>(name: string, instrumentation: () => T): T[] => (disabled.has(name) ? [] : [instrumentation()]);

const sdk = new NodeSDK({
  ...(exporting('TRACES') ? { traceExporter: new OTLPTraceExporter() } : { spanProcessors: [] }),
  metricReaders: exporting('METRICS')
    ? [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(), exportIntervalMillis: metricIntervalMs })]
    : [],
  logRecordProcessors: exporting('LOGS') ? [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter() })] : [],
  views: [
    {
      instrumentName: 'http.*.request.duration',
      aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: latencyBucketsSeconds } },
    },
  ],
  instrumentations: [
    ...unless('http', () => new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => isHealthCheck(request.url) })),
    // Express makes a span per middleware layer; only the route handler tells a reader anything.
    ...unless('express', () => new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] })),
    ...unless(
      'fastify',
      () =>
        new FastifyOtelInstrumentation({
          registerOnInitialization: true,
          ignorePaths: (options) => isHealthCheck(options.url),
          // One span for the route, named like Express's; none per lifecycle hook or for the
          // handler inside it, which would only repeat the same interval.
          instrumentHooks: false,
          instrumentHandler: false,
          requestHook: (span) => span.updateName('request handler'),
        }),
    ),
    ...unless('undici', () => new UndiciInstrumentation()),
    // Adds trace_id/span_id to every log line; sends the lines over OTLP unless logs are off.
    ...unless('pino', () => new PinoInstrumentation({ disableLogSending: !exporting('LOGS') })),
  ],
});

sdk.start();
onShutdownLast('telemetry', () => sdk.shutdown());

const endpoint = envString('OTEL_EXPORTER_OTLP_ENDPOINT', 'http://localhost:4317');
console.log(
  JSON.stringify({
    level: 'info',
    time: new Date().toISOString(),
    service: process.env.OTEL_SERVICE_NAME,
    msg: `telemetry: OpenTelemetry SDK started, exporting traces, metrics and logs over OTLP gRPC to the collector at ${endpoint}`,
  }),
);
