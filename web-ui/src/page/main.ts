// The demo page: place an order through /api (nginx proxies it to orders), show what came
// back, link the trace into Grafana, and, when Tempo answers through /tempo, draw every trace
// of the order on one time axis with one line that says where the chain broke (the verdict
// is @demo/trace-verdict, the same code as the native runner's terminal line). Bundled by
// esbuild into public/app.js; public/telemetry.js, loaded first, traces the page.

import { EXPECTED_SHAPE, isModeName } from '@demo/trace-verdict';
import { fetchOrder, loadConfig, type Order } from './api';
import { byId } from './dom';
import { applyLanguage, LANGUAGE, M } from './language';
import { submitOrder } from './order-form';
import { loadRecent } from './recent-orders';
import { describe, showOrderTraces, showResult } from './result';

/** Shows a stored order (a row of the table, or /?order=<id>) and draws its traces. */
function selectOrder(order: Order): void {
  history.replaceState(null, '', `?order=${order.order_id}`);
  const kind = order.status === 'confirmed' ? 'success' : order.status === 'failed' ? 'failure' : 'warning';
  showResult(kind, M.storedOrder(order.order_id, order.mode ?? 'unknown', M.status(order.status)), describe(order), order.trace_id);
  void showOrderTraces(order, '');
}

const refreshRecent = () => loadRecent(selectOrder);

/** /?order=<id>: a link to one order's traces. */
async function openDeepLink(): Promise<void> {
  const wanted = new URLSearchParams(location.search).get('order');
  if (wanted === null) return;
  if (!/^[1-9]\d{0,15}$/.test(wanted)) return showResult('failure', M.notAnOrderNumber(wanted), [], undefined);
  try {
    const order = await fetchOrder(wanted);
    if (order) selectOrder(order);
    else showResult('failure', M.noSuchOrder(wanted), [], undefined);
  } catch (error) {
    showResult('failure', M.cannotLoadOrder(wanted, (error as Error).message), [], undefined);
  }
}

async function copyTraceId(): Promise<void> {
  const button = byId('copy-trace', HTMLButtonElement);
  const traceId = byId('trace-id', HTMLElement);
  try {
    await navigator.clipboard.writeText(traceId.textContent ?? '');
    button.textContent = M.copied;
  } catch {
    getSelection()?.selectAllChildren(traceId);
    button.textContent = M.selected;
  }
  setTimeout(() => (button.textContent = M.copy), 2000);
}

applyLanguage();
// A click listener, not a submit listener: the click is what the browser's tracing
// (telemetry.js) records as the root span of the order's trace. Enter in a field clicks the
// form's button too (implicit submission), so it goes the same way.
byId('submit', HTMLButtonElement).addEventListener('click', (event) => {
  event.preventDefault();
  void submitOrder().finally(refreshRecent);
});
byId('order-form', HTMLFormElement).addEventListener('submit', (event) => event.preventDefault());
byId('copy-trace', HTMLButtonElement).addEventListener('click', () => void copyTraceId());
void loadConfig().then(({ mode }) => {
  byId('mode', HTMLParagraphElement).textContent = M.modeLine(mode, isModeName(mode) ? EXPECTED_SHAPE[mode][LANGUAGE] : '');
  return openDeepLink();
});
void refreshRecent();
