import pino from 'pino';
import { logDestination } from './log-shipping';

// pino writes one JSON object per line to stdout. When the telemetry bootstrap is loaded,
// the OpenTelemetry pino instrumentation adds trace_id and span_id to every record written
// inside a span, and the record is also sent over OTLP (to Loki, through the collector): from
// the main thread, or with LOG_SHIPPING=worker from a worker thread (log-shipping.ts). Without the
// bootstrap the same logger simply prints JSON.
export type Logger = pino.Logger;

export function createLogger(service: string): Logger {
  return pino(
    {
      level: process.env.LOG_LEVEL ?? 'info',
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    logDestination() ??
      // Asynchronous stdout: lines logged while a write is in flight go out together in the
      // next one, instead of one blocking write per line. An idle service still writes each
      // line at once; pino flushes what is left when the process exits.
      pino.destination({ dest: 1, sync: false }),
  );
}
