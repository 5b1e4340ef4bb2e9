import { createLogger, envInt, envString, runUntilStopped, serverConfig } from '@demo/shared';
import { listenExpress } from '@demo/shared/express';
import { openInventoryDb } from './db';
import { buildInventoryApp } from './app';

// inventory: reserves stock for an order, then asks pricing for the price.

async function main() {
  const logger = createLogger('inventory');
  const config = serverConfig({ port: 3001, dbPath: 'data/inventory.db' });
  const inventory = openInventoryDb(config.dbPath);
  const app = buildInventoryApp({
    inventory,
    logger,
    // In the Envoy modes this is http://pricing:10000: the sidecar, not pricing itself.
    pricingUrl: envString('PRICING_URL', 'http://pricing:8080'),
    // Shorter than orders' wait for inventory, longer than pricing's wait for notifications.
    pricingTimeoutMs: envInt('PRICING_TIMEOUT_MS', 3000, { min: 1 }),
  });
  const server = await listenExpress(app, config);
  runUntilStopped('inventory', server, inventory.db, logger);
}

main().catch((error: unknown) => {
  console.error(`inventory failed to start: ${(error as Error).message}`);
  process.exit(1);
});
