// Preloaded into each service by `npm run footprint` (node --require, before anything else):
// on SIGUSR2 the service writes what it has loaded and how much memory it holds, so the
// footprint is read from the running process itself, after it has served an order.

import fs from 'node:fs';
import path from 'node:path';

/** The npm packages whose presence tells what a service pulled in. */
const WATCHED = ['fastify', 'express', 'better-sqlite3', 'undici', '@opentelemetry/sdk-node'];

process.on('SIGUSR2', () => {
  const files = Object.keys(require.cache);
  const loaded = WATCHED.filter((name) => files.some((file) => file.includes(`/node_modules/${name}/`)));
  const report = { modules: files.length, rssBytes: process.memoryUsage().rss, loaded };
  const file = path.join(process.env.FOOTPRINT_DIR ?? '.', `${process.env.OTEL_SERVICE_NAME ?? process.pid}.json`);
  fs.writeFileSync(file, JSON.stringify(report));
});
