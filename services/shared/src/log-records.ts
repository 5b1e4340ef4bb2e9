// Turning the services' pino lines into OpenTelemetry log records, in a worker thread (see
// log-shipping.ts for the two kinds of worker). The record is built as
// @opentelemetry/instrumentation-pino builds it on the main thread (same scope, body,
// severity, attributes and timestamps), so Loki sees the same thing either way. The one
// difference: there is no active span in a worker, so the record's trace context comes from
// the trace_id/span_id/trace_flags fields the instrumentation wrote into the line.

import { ROOT_CONTEXT, SeverityNumber, TraceFlags, trace, type Logger } from '@opentelemetry/api';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import * as grpc from './otlp-grpc';
import * as httpProtobuf from './otlp-http-protobuf';
import { defaultResource, detectResources, envDetector, hostDetector, osDetector, resourceFromAttributes } from '@opentelemetry/resources';
import type { LogShipperOptions } from './log-shipping';

// pino's level labels (the services log them as "level":"info") to OpenTelemetry severities,
// as instrumentation-pino maps pino's numeric levels.
const SEVERITY: Record<string, SeverityNumber> = {
  trace: SeverityNumber.TRACE,
  debug: SeverityNumber.DEBUG,
  info: SeverityNumber.INFO,
  warn: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
  fatal: SeverityNumber.FATAL,
};

/** A stuck collector must not keep a stopping service alive: pino's exit wait is 10 s. */
export const FLUSH_DEADLINE_MS = 8000;

export function createLoggerProvider(options: LogShipperOptions): LoggerProvider {
  // The same resource as the SDK's on the main thread: its service.instance.id and process.*
  // attributes are handed over (a worker has its own argv, and the instance id is random);
  // host, OS and OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES are the same here.
  const resource = defaultResource()
    .merge(resourceFromAttributes(options.resourceAttributes))
    .merge(detectResources({ detectors: [hostDetector, osDetector, envDetector] }));
  // The protocol and batch settings the main thread read from the environment (telemetry.ts).
  const otlp = options.protocol === 'http/protobuf' ? httpProtobuf : grpc;
  const processor = new BatchLogRecordProcessor({ ...options.batches, exporter: new otlp.OTLPLogExporter() });
  return new LoggerProvider({ resource, processors: [processor] });
}

/** The span the line was written in, from the fields instrumentation-pino adds to it. */
function contextOf(traceId: unknown, spanId: unknown, traceFlags: unknown) {
  if (typeof traceId !== 'string' || typeof spanId !== 'string') return ROOT_CONTEXT;
  const flags = typeof traceFlags === 'string' ? Number.parseInt(traceFlags, 16) : TraceFlags.NONE;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId,
    traceFlags: Number.isNaN(flags) ? TraceFlags.NONE : flags,
    isRemote: false,
  });
}

/** Parses one pino line and emits it as a log record; a line that is not JSON is skipped. */
export function emitLine(otelLogger: Logger, line: string): void {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return;
  }
  // The same split of fields as instrumentation-pino's log sending.
  const {
    time,
    msg,
    err,
    level,
    hostname: _hostname,
    pid: _pid,
    trace_id,
    span_id,
    trace_flags,
    ['event.name']: eventName,
    ...attributes
  } = record;
  const millis = typeof time === 'string' ? Date.parse(time) : Number.NaN;
  const timestamp = Number.isNaN(millis) ? Date.now() : millis;
  if (Number.isNaN(millis) && time !== undefined) attributes.time = time;
  otelLogger.emit({
    timestamp,
    observedTimestamp: timestamp,
    severityNumber: SEVERITY[String(level)] ?? SeverityNumber.UNSPECIFIED,
    severityText: typeof level === 'string' ? level : undefined,
    body: msg,
    attributes,
    ...(err !== undefined ? { exception: err } : {}),
    ...(typeof eventName === 'string' ? { eventName } : {}),
    context: contextOf(trace_id, span_id, trace_flags),
  });
}
