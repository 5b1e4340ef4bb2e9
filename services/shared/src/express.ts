import type { Server } from 'node:http';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { ServerConfig } from './config';
import type { Logger } from './logger';
import { toHttpError, MAX_BODY_BYTES } from './http-errors';
import { createRequestCounter } from './metrics';
import type { ServiceAppOptions } from './server';

// @demo/shared/express: the Express twin of createFastifyApp (body limit, JSON errors,
// request counter, /health), its own entry point so a Fastify service never loads Express.
// Routes go between createExpressApp() and finishExpressApp(), because Express runs
// middleware in the order it was added and the error handler must come last.

export function createExpressApp({ service, isHealthy }: ServiceAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // An ETag on every JSON answer costs a hash per response and no client here revalidates.
  app.set('etag', false);

  const counter = createRequestCounter(service);
  app.use((request, response, next) => {
    response.on('finish', () => {
      const route = (request.route as { path?: string } | undefined)?.path;
      counter.record(request.method, route ?? 'unmatched', response.statusCode);
    });
    next();
  });

  app.use((request, response, next) => {
    if (request.method === 'POST' && !request.is('application/json')) {
      response.status(415).json({ error: 'unsupported_media_type', message: 'request body must be JSON (Content-Type: application/json)' });
      return;
    }
    next();
  });
  app.use(express.json({ limit: MAX_BODY_BYTES }));

  app.get('/health', (_request, response) => {
    const healthy = isHealthy();
    response
      .status(healthy ? 200 : 503)
      .json({ status: healthy ? 'ok' : 'unavailable', service, database: healthy ? 'ok' : 'unavailable' });
  });

  return app;
}

export function finishExpressApp(app: Express, logger: Logger): void {
  app.use((request: Request, response: Response) => {
    response.status(404).json({ error: 'not_found', message: `no route ${request.method} ${request.path}` });
  });
  app.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    const { statusCode, body, unexpected } = toHttpError(error);
    if (unexpected) logger.error({ err: error }, 'unexpected error');
    response.status(statusCode).json(body);
  });
}

export async function listenExpress(app: Express, config: ServerConfig): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(config.port, config.host, (error?: Error) => (error ? reject(error) : resolve(server)));
  });
}
