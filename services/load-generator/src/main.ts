import { createLogger, envInt, envString, exitOnSignals } from '@demo/shared';
import { postJson } from '@demo/shared/http-client';
import { orderBody, pickFault, pickKind, type OrderKind } from './mix';

// A steady trickle of orders (RATE_PER_SECOND, default 2) against orders, with some out of
// stock and some invalid. When ordinary orders start coming back out_of_stock it restocks,
// so the demo can run for hours. FAULT_PERCENT (default 10) of the ordinary orders ask for a
// fault (mix.ts), so error ratio and latency move on the dashboard without anyone clicking.
// Started by `docker compose --profile load up -d` or `npm run local -- --load`.

const logger = createLogger('load-generator');
const ordersUrl = envString('ORDERS_URL', 'http://orders:8000');
const inventoryUrl = envString('INVENTORY_URL', 'http://inventory:3001');
const ratePerSecond = envInt('RATE_PER_SECOND', 2, { min: 1, max: 1000 });
const faultShare = envInt('FAULT_PERCENT', 10, { max: 100 }) / 100;
const mix = {
  outOfStockShare: envInt('OUT_OF_STOCK_PERCENT', 5, { max: 100 }) / 100,
  invalidShare: envInt('INVALID_PERCENT', 5, { max: 100 }) / 100,
};

const counts: Record<string, number> = {};

async function sendOne(): Promise<void> {
  const kind: OrderKind = pickKind(mix);
  const fault = kind === 'normal' ? pickFault(faultShare) : null;
  const headers: Record<string, string> = fault ? { baggage: `demo.fault=${fault}` } : {};
  const result = await postJson<{ status: string; product_name: string }>(`${ordersUrl}/orders`, orderBody(kind), {
    dependency: 'orders',
    timeoutMs: 10_000,
    headers,
  });
  const answer = result.ok
    ? `${result.status} ${result.body.status}`
    : 'refusal' in result
      ? `${result.refusal.status} ${result.refusal.body.error}`
      : `failed: ${result.failure.message}`;
  const outcome = fault ? `${answer} (fault ${fault})` : answer;
  counts[outcome] = (counts[outcome] ?? 0) + 1;
  if (kind === 'normal' && result.ok && result.body.status === 'out_of_stock') {
    await postJson(
      `${inventoryUrl}/inventory/restock`,
      { product_name: result.body.product_name, quantity: 500 },
      { dependency: 'inventory', timeoutMs: 5000 },
    );
    logger.info(`restocked ${result.body.product_name}`);
  }
}

function main(): void {
  logger.info({ ordersUrl, ratePerSecond, mix, faultShare }, 'sending orders');
  const timer = setInterval(() => void sendOne(), 1000 / ratePerSecond);
  const report = setInterval(() => logger.info({ counts }, 'orders sent so far, by outcome'), 30_000);
  exitOnSignals((message) => logger.info(message));
  process.once('beforeExit', () => (clearInterval(timer), clearInterval(report)));
}

main();
