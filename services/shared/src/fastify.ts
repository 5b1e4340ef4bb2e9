import type { Server } from 'node:http';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { ServerConfig } from './config';
import { toHttpError, MAX_BODY_BYTES } from './http-errors';
import { createRequestCounter } from './metrics';
import type { ServiceAppOptions } from './server';

// @demo/shared/fastify: what every Fastify service shares (the body limit, JSON errors, the
// request counter and GET /health). The service adds its own routes to the instance it gets
// back. Its own entry point, so an Express service never loads Fastify.

export function createFastifyApp({ service, logger, isHealthy }: ServiceAppOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger,
    // One log line per request would double the logging cost; services log what matters.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: MAX_BODY_BYTES,
    // A client that stops sending mid-request must not hold a connection forever.
    requestTimeout: 30_000,
  }) as unknown as FastifyInstance;

  const counter = createRequestCounter(service);
  app.addHook('onResponse', async (request, reply) => {
    counter.record(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode);
  });

  app.setErrorHandler((error, request, reply) => {
    const { statusCode, body, unexpected } = toHttpError(error);
    if (unexpected) request.log.error({ err: error }, 'unexpected error');
    return reply.code(statusCode).send(body);
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );

  app.get('/health', async (_request, reply) => {
    const healthy = isHealthy();
    return reply
      .code(healthy ? 200 : 503)
      .send({ status: healthy ? 'ok' : 'unavailable', service, database: healthy ? 'ok' : 'unavailable' });
  });

  return app;
}

export async function listenFastify(app: FastifyInstance, config: ServerConfig): Promise<Server> {
  await app.listen({ host: config.host, port: config.port });
  return app.server;
}
