import { createLogger, envInt, envString, listenFastify, runUntilStopped, serverConfig } from '@demo/shared';
import { openOrdersDb } from './db';
import { buildOrdersApp } from './app';

// orders: the front of the chain. POST /orders stores the order and asks inventory.

async function main() {
  const logger = createLogger('orders');
  const config = serverConfig({ port: 8000, dbPath: 'data/orders.db' });
  const orders = openOrdersDb(config.dbPath);
  const app = buildOrdersApp({
    orders,
    logger,
    inventoryUrl: envString('INVENTORY_URL', 'http://inventory:3001'),
    // Longer than inventory's own wait for pricing, so inventory can answer with the real cause first.
    inventoryTimeoutMs: envInt('INVENTORY_TIMEOUT_MS', 5000, { min: 1 }),
  });
  const server = await listenFastify(app, config);
  runUntilStopped('orders', server, orders.db, logger);
}

main().catch((error: unknown) => {
  console.error(`orders failed to start: ${(error as Error).message}`);
  process.exit(1);
});
