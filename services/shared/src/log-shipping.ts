// How the services' log lines reach the collector over OTLP, with the traces' protocol.
// Three ways, chosen by LOG_SHIPPING (docs/benchmarks-levers.md has what each costs):
//
//   worker            the main thread prints each line, as without telemetry, and keeps it;
//                     a few times a second it posts what it kept to a worker thread
//                     (log-batch-worker.ts), which turns the lines into log records and
//                     exports them. The request path pays for one array push per line.
//   pino-transport    pino's own worker-thread transport (log-shipper-worker.ts): every line
//                     is copied into a shared buffer and the worker is woken for it, which
//                     costs the main thread more than the batching above.
//   main-thread       (the default) @opentelemetry/instrumentation-pino's own log sending:
//                     every line is parsed a second time and exported from the main thread.
//                     A worker halves what a line costs the request path but spends more CPU
//                     in all and about 30 MB more memory per service (docs/benchmarks-levers.md).
//
// Either way instrumentation-pino writes trace_id/span_id/trace_flags into every line logged
// inside a span. The telemetry bootstrap decides and leaves its choice here (on globalThis:
// the bootstrap is preloaded with --require and the app may load its own copy of this
// module); the logger (logger.ts) asks for its destination.
//
// Nothing is lost on a clean exit or SIGTERM: on the process's 'exit' event the main thread
// hands over what is left and waits (up to 9 s) until the worker has exported it.

import path from 'node:path';
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import type { Attributes } from '@opentelemetry/api';

export type LogShipping = 'worker' | 'pino-transport' | 'main-thread';

/** What the worker needs from the main thread (plain data: it is copied into the worker). */
export interface LogShipperOptions {
  /** service.instance.id and process.*: the attributes a worker thread would detect differently. */
  resourceAttributes: Attributes;
  /** The instrumentation scope the records carry: instrumentation-pino's, as on the main thread. */
  scope: { name: string; version: string };
  /** The OTLP protocol and the log batches' settings, as the bootstrap read them from the environment. */
  protocol: 'grpc' | 'http/protobuf';
  batches: BatchSettings;
}

/** A batch processor's settings (OTEL_BSP_* or OTEL_BLRP_*, read by the telemetry bootstrap). */
export interface BatchSettings {
  maxQueueSize: number;
  maxExportBatchSize: number;
  scheduledDelayMillis: number;
  exportTimeoutMillis: number;
}

type Plan = { kind: 'worker' | 'pino-transport'; options: LogShipperOptions };
const holder = globalThis as { __demoLogShipper?: Plan };

/** Called by the telemetry bootstrap when log records should go out through a worker thread. */
export function shipLogsThroughWorker(kind: Plan['kind'], options: LogShipperOptions): void {
  holder.__demoLogShipper = { kind, options };
}

// The worker holds at most a queue of records (OTEL_BLRP_MAX_QUEUE_SIZE, 8192: a few MB);
// a small young generation keeps its memory small.
const WORKER_LIMITS = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 4 };

/** The logger's destination when a worker ships the logs; undefined when none does. */
export function logDestination(): pino.DestinationStream | undefined {
  const plan = holder.__demoLogShipper;
  if (!plan) return undefined;
  if (plan.kind === 'pino-transport') {
    // pino's exit handler ends the stream and waits for the worker's `close`.
    return pino.transport({
      target: path.join(__dirname, 'log-shipper-worker.js'),
      options: plan.options,
      worker: { resourceLimits: WORKER_LIMITS },
    });
  }
  return new BatchingLogShipper(plan.options);
}

const BATCH_INTERVAL_MS = 200;
const MAX_HELD_LINES = 2000; // posted at once when a burst fills it
const EXIT_WAIT_MS = 9000;

class BatchingLogShipper implements pino.DestinationStream {
  // Asynchronous stdout: lines logged while a write is in flight go out together in the next.
  private readonly stdout = pino.destination({ dest: 1, sync: false });
  private held: string[] = [];
  private readonly worker: Worker;
  /** Set to 1 by the worker once it has exported everything, after { shutdown: true }. */
  private readonly flushed = new Int32Array(new SharedArrayBuffer(4));
  private workerFailed = false;

  constructor(options: LogShipperOptions) {
    this.worker = new Worker(path.join(__dirname, 'log-batch-worker.js'), {
      workerData: { options, flushed: this.flushed },
      resourceLimits: WORKER_LIMITS,
    });
    this.worker.unref(); // the service's own work decides when it exits, not the shipping
    this.worker.on('error', (error: Error) => {
      // The lines still reach stdout; only their OTLP copy stops.
      this.workerFailed = true;
      this.held = [];
      process.stderr.write(`log shipping: the worker thread failed, log records are no longer sent over OTLP: ${error.message}\n`);
    });
    setInterval(() => this.post(), BATCH_INTERVAL_MS).unref();
    process.once('exit', () => this.flushOnExit());
  }

  write(line: string): void {
    this.stdout.write(line);
    if (this.workerFailed) return;
    this.held.push(line);
    if (this.held.length >= MAX_HELD_LINES) this.post();
  }

  private post(): void {
    if (this.held.length === 0 || this.workerFailed) return;
    this.worker.postMessage(this.held.join(''));
    this.held = [];
  }

  private flushOnExit(): void {
    try {
      this.stdout.flushSync();
    } catch {
      // stdout closed: nothing more to print
    }
    if (this.workerFailed) return;
    this.post();
    this.worker.postMessage({ shutdown: true });
    // The worker runs on while this thread waits: it exports, then wakes us.
    Atomics.wait(this.flushed, 0, 0, EXIT_WAIT_MS);
  }
}
