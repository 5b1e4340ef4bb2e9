// LOG_SHIPPING=pino-transport: the log lines go through pino's own worker-thread transport
// (pino.transport, loaded by pino in a worker thread; see log-shipping.ts). The request path
// serialises each line once and copies it into a shared buffer; here each line goes to
// stdout unchanged and becomes a log record (log-records.ts), batched and exported over OTLP.
//
// On shutdown pino ends the stream and the main thread waits (pino's own exit handler, up to
// 10 s) until `close` below has exported every batched record.

import build from 'pino-abstract-transport';
import SonicBoom from 'sonic-boom';
import type { LogShipperOptions } from './log-shipping';
import { createLoggerProvider, emitLine, FLUSH_DEADLINE_MS } from './log-records';

export default async function logShipper(options: LogShipperOptions) {
  const stdout = new SonicBoom({ fd: 1, sync: false });
  const provider = createLoggerProvider(options);
  const otelLogger = provider.getLogger(options.scope.name, options.scope.version);

  return build(
    async (source: AsyncIterable<string>) => {
      for await (const line of source) {
        stdout.write(line + '\n');
        emitLine(otelLogger, line);
      }
    },
    {
      parse: 'lines',
      async close() {
        const deadline = new Promise((resolve) => setTimeout(resolve, FLUSH_DEADLINE_MS).unref());
        await Promise.race([provider.shutdown(), deadline]);
        await new Promise<void>((resolve) => {
          stdout.once('close', () => resolve());
          stdout.end();
        });
      },
    },
  );
}
