import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from './config';
import type { Logger } from './logger';
import type { Database } from './sqlite';
import { exitOnSignals, onShutdown } from './shutdown';

// Start listening, then register what a clean stop must close: the HTTP server first (no
// new requests; in-flight ones finish), then the database. The telemetry bootstrap, when
// loaded, has already registered its flush to run after these.

export async function listenExpress(app: Express, config: ServerConfig): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(config.port, config.host, (error?: Error) => (error ? reject(error) : resolve(server)));
  });
}

export async function listenFastify(app: FastifyInstance, config: ServerConfig): Promise<Server> {
  await app.listen({ host: config.host, port: config.port });
  return app.server;
}

export function runUntilStopped(service: string, server: Server, db: Database, logger: Logger): void {
  onShutdown('http server', () => new Promise<void>((resolve) => server.close(() => resolve())));
  onShutdown('database', () => db.close());
  exitOnSignals((message) => logger.info(message));
  const { address, port } = server.address() as AddressInfo;
  logger.info({ address, port }, `${service} listening on http://${address}:${port}`);
}
