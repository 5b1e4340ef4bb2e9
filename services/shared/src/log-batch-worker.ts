// LOG_SHIPPING=worker (a choice, not the default: telemetry.ts says why the main thread is):
// the worker thread that turns batches of log lines into OpenTelemetry log records
// (log-records.ts) and exports them with the service's OTLP protocol. The main thread
// (log-shipping.ts) prints each line itself and posts what accumulated a few times a second,
// so this thread is woken a few times a second, not once per line.
//
// Messages from the main thread:
//   string                     lines, each ending in "\n"
//   { shutdown: true }         export everything held, then set the shared flag and wake
//                              the main thread, which waits for it in its exit handler

import { parentPort, workerData } from 'node:worker_threads';
import type { LogShipperOptions } from './log-shipping';
import { createLoggerProvider, emitLine, FLUSH_DEADLINE_MS } from './log-records';

const { options, flushed } = workerData as { options: LogShipperOptions; flushed: Int32Array };
const provider = createLoggerProvider(options);
const otelLogger = provider.getLogger(options.scope.name, options.scope.version);

parentPort!.on('message', (message: string | { shutdown: true }) => {
  if (typeof message === 'string') {
    for (const line of message.split('\n')) if (line) emitLine(otelLogger, line);
    return;
  }
  const deadline = new Promise((resolve) => setTimeout(resolve, FLUSH_DEADLINE_MS).unref());
  void Promise.race([provider.shutdown(), deadline]).finally(() => {
    Atomics.store(flushed, 0, 1);
    Atomics.notify(flushed, 0);
  });
});
