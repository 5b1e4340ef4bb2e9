import { createLogger, envInt, envString, onShutdown, runUntilStopped, serverConfig } from '@demo/shared';
import { listenFastify } from '@demo/shared/fastify';
import { openOrdersDb } from './db';
import { buildOrdersApp } from './app';
import { startStockReleaser } from './stock-release';

// orders: the front of the chain. POST /orders stores the order and asks inventory.

async function main() {
  const logger = createLogger('orders');
  const config = serverConfig({ port: 8000, dbPath: 'data/orders.db' });
  const orders = openOrdersDb(config.dbPath);
  const interrupted = orders.failInterrupted();
  if (interrupted > 0)
    logger.warn(`${interrupted} order(s) were in flight when orders last stopped: marked failed, their stock will be released`);
  const inventoryUrl = envString('INVENTORY_URL', 'http://inventory:3001');
  const releaser = startStockReleaser(orders, inventoryUrl, logger);
  const app = buildOrdersApp({
    orders,
    logger,
    inventoryUrl,
    releaseStock: releaser.kick,
    // Set by each compose file, the chart and the native runner: sdk, envoy, envoy-propagation, ...
    mode: envString('DEMO_MODE', '') || null,
    // Longer than inventory's own wait for pricing, so inventory can answer with the real cause first.
    inventoryTimeoutMs: envInt('INVENTORY_TIMEOUT_MS', 5000, { min: 1 }),
  });
  const server = await listenFastify(app, config);
  onShutdown('stock releaser', releaser.stop);
  runUntilStopped('orders', server, orders.db, logger);
}

main().catch((error: unknown) => {
  console.error(`orders failed to start: ${(error as Error).message}`);
  process.exit(1);
});
