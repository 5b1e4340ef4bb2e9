import { propagation } from '@opentelemetry/api';
import { createLogger, envBool, envInt, envString, runUntilStopped, serverConfig } from '@demo/shared';
import { listenExpress } from '@demo/shared/express';
import { openPricingDb } from './db';
import { buildPricingApp } from './app';

// pricing: the service the instrumentation modes differ on. It runs with the OpenTelemetry
// SDK (sdk mode), or with no SDK behind an Envoy sidecar or the eBPF agent, copying the
// trace headers by hand or not (PROPAGATE_TRACE_HEADERS).

async function main() {
  const logger = createLogger('pricing');
  const config = serverConfig({ port: 8080, dbPath: 'data/pricing.db' });
  const pricing = openPricingDb(config.dbPath);

  let propagateTraceHeaders = envBool('PROPAGATE_TRACE_HEADERS', false);
  if (propagateTraceHeaders && propagation.fields().length > 0) {
    // The SDK's undici instrumentation already injects traceparent; a second copy would make
    // the header invalid and break the trace.
    logger.warn('PROPAGATE_TRACE_HEADERS ignored: the OpenTelemetry SDK is loaded and propagates the trace itself');
    propagateTraceHeaders = false;
  }

  const app = buildPricingApp({
    pricing,
    logger,
    // In the Envoy modes this is the sidecar's egress listener, http://127.0.0.1:10001.
    notificationsUrl: envString('NOTIFICATIONS_URL', 'http://notifications:8081'),
    notificationsTimeoutMs: envInt('NOTIFICATIONS_TIMEOUT_MS', 1500, { min: 1 }),
    propagateTraceHeaders,
  });
  const server = await listenExpress(app, config);
  runUntilStopped('pricing', server, pricing.db, logger);
  logger.info(`trace header propagation ${propagateTraceHeaders ? 'on' : 'off'}`);
}

main().catch((error: unknown) => {
  console.error(`pricing failed to start: ${(error as Error).message}`);
  process.exit(1);
});
