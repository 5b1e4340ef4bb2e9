import { createLogger, runUntilStopped, serverConfig } from '@demo/shared';
import { listenFastify } from '@demo/shared/fastify';
import { openNotificationsDb } from './db';
import { buildNotificationsApp } from './app';

// notifications: the end of the chain. Records and "sends" the order confirmation.

async function main() {
  const logger = createLogger('notifications');
  const config = serverConfig({ port: 8081, dbPath: 'data/notifications.db' });
  const notifications = openNotificationsDb(config.dbPath);
  const app = buildNotificationsApp({ notifications, logger });
  const server = await listenFastify(app, config);
  runUntilStopped('notifications', server, notifications.db, logger);
}

main().catch((error: unknown) => {
  console.error(`notifications failed to start: ${(error as Error).message}`);
  process.exit(1);
});
