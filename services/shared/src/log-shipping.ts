// How the services' log lines reach the collector. Two ways, chosen by LOG_SHIPPING:
//
//   worker (default)  pino writes each line into a transport running in a worker thread
//                     (log-shipper-worker.ts), which prints it and sends it over OTLP gRPC.
//                     The request path only serialises the line once.
//   main-thread       @opentelemetry/instrumentation-pino's own log sending: every line is
//                     parsed a second time on the main thread and emitted there. Kept to
//                     measure the difference (npm run bench -- --configs sdk,sdk-logs-main-thread).
//
// Either way instrumentation-pino writes trace_id/span_id/trace_flags into every line logged
// inside a span. The telemetry bootstrap decides and leaves its choice here; the logger
// (logger.ts) reads it. Kept on globalThis because the bootstrap is preloaded with --require
// and the app may load its own copy of this module.

import path from 'node:path';
import type { Attributes } from '@opentelemetry/api';

export type LogShipping = 'worker' | 'main-thread';

/** What the worker needs from the main thread (plain data: it is copied into the worker). */
export interface LogShipperOptions {
  /** service.instance.id and process.*: the attributes a worker thread would detect differently. */
  resourceAttributes: Attributes;
  /** The instrumentation scope the records carry: instrumentation-pino's, as on the main thread. */
  scope: { name: string; version: string };
}

const holder = globalThis as { __demoLogShipper?: LogShipperOptions };

/** Called by the telemetry bootstrap when log records should go out through the worker. */
export function shipLogsThroughWorker(options: LogShipperOptions): void {
  holder.__demoLogShipper = options;
}

/** The pino transport target for the logger, or undefined when no worker ships logs. */
export function logShipperTransport(): { target: string; options: LogShipperOptions } | undefined {
  const options = holder.__demoLogShipper;
  return options && { target: path.join(__dirname, 'log-shipper-worker.js'), options };
}
