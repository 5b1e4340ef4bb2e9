// What `--require @demo/shared/telemetry` loads (package.json "exports"): the telemetry
// bootstrap, in the main thread only. A worker thread inherits its process's --require and
// NODE_OPTIONS, so the log shipper's worker (log-shipping.ts) would otherwise start a second
// SDK of its own, patching and exporting from inside the thread that ships the logs.
import { isMainThread } from 'node:worker_threads';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded conditionally, which an import statement cannot be
if (isMainThread) require('./telemetry');
