import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './logger';
import type { Database } from './sqlite';
import { exitOnSignals, onShutdown } from './shutdown';

// What every service's server shares, whichever framework serves it (@demo/shared/fastify,
// @demo/shared/express): the options its app is built from, and the clean stop. Once it
// listens, a clean stop closes the HTTP server first (no new requests; in-flight ones
// finish), then the database. The telemetry bootstrap, when loaded, has already registered
// its flush to run after these.

export interface ServiceAppOptions {
  service: string;
  logger: Logger;
  isHealthy: () => boolean;
}

export function runUntilStopped(service: string, server: Server, db: Database, logger: Logger): void {
  onShutdown('http server', () => new Promise<void>((resolve) => server.close(() => resolve())));
  onShutdown('database', () => db.close());
  exitOnSignals((message) => logger.info(message));
  const { address, port } = server.address() as AddressInfo;
  logger.info({ address, port }, `${service} listening on http://${address}:${port}`);
}
