// The latest orders, each with its mode, its trace count and where it broke. A row waits for
// Tempo's search before it says anything about the break: never "not broken" too early.

import { judgeOrder, normalizeTraceId } from '@demo/trace-verdict';
import { fetchRecentOrders, grafanaTraceUrl, type Order } from './api';
import { byId, element, money, outLink, sleep } from './dom';
import { M } from './language';
import { fetchOrderTraces, isSettled, settledSummaries, tracingIsOff, WAIT_BOUND_MS, type TraceSummary } from './order-traces';

/** How often a row still waiting for Tempo's search asks again. */
const ROW_POLL_MS = 5_000;
const TRACES = 6;
const BROKEN_AT = 7;

const tableBody = () => byId('recent', HTMLTableElement).tBodies[0]!;

/** Redraws the table; a click on a row calls `select` with its order. */
export async function loadRecent(select: (order: Order) => void): Promise<void> {
  let orders: Order[];
  try {
    orders = await fetchRecentOrders();
  } catch {
    tableBody().replaceChildren();
    return;
  }
  const rows = orders.map((order) => recentRow(order, select));
  tableBody().replaceChildren(...rows);
  orders.forEach((order, index) => void fillTraceColumns(order, rows[index]!));
}

/** The row of this order, if the table shows it. */
export function rowOf(orderId: number): HTMLTableRowElement | null {
  return tableBody().querySelector(`tr[data-order-id="${orderId}"]`);
}

function recentRow(order: Order, select: (order: Order) => void): HTMLTableRowElement {
  const row = element('tr');
  row.dataset.orderId = String(order.order_id);
  row.title = M.drawThisOrder;
  row.addEventListener('click', () => select(order));
  const open = element('button', 'link', `#${order.order_id}`);
  open.type = 'button';
  const cells = [open, order.mode ?? 'unknown', order.product_name, String(order.quantity), order.status, money(order.total), '…', '…'];
  for (const content of cells) row.insertCell().append(content);
  row.cells[TRACES]!.className = 'trace-count';
  row.cells[BROKEN_AT]!.className = 'broken-at';
  const trace = row.insertCell();
  if (order.trace_id) {
    const link = outLink(grafanaTraceUrl(normalizeTraceId(order.trace_id)), order.trace_id.slice(0, 8));
    link.addEventListener('click', (event) => event.stopPropagation());
    trace.append(link);
  }
  return row;
}

/**
 * The row's trace count and break, once Tempo's search has had its say. Until then the row
 * says it is waiting, and asks again every few seconds while it is on the page.
 */
async function fillTraceColumns(order: Order, row: HTMLTableRowElement): Promise<void> {
  if (tracingIsOff(order)) return showSummaryInRow(row, { count: 0, brokenAt: '' });
  for (;;) {
    const known = settledSummaries.get(order.order_id);
    if (known) return showSummaryInRow(row, known);
    const found = await fetchOrderTraces(order);
    if (!row.isConnected) return; // the table was redrawn
    if (!found.ok) {
      row.cells[TRACES]!.textContent = row.cells[BROKEN_AT]!.textContent = '?';
      row.cells[BROKEN_AT]!.title = found.unreachable ? M.tempoUnreachable : M.tempoRefused(found.refusal);
      return;
    }
    const verdict = judgeOrder(found.spans);
    const summary = { count: verdict.traces.length, brokenAt: verdict.brokenAt };
    const age = Date.now() - Date.parse(order.updated_at);
    if (isSettled(order, found, age)) {
      settledSummaries.set(order.order_id, summary);
      return showSummaryInRow(row, summary);
    }
    if (age >= WAIT_BOUND_MS) {
      // Old enough that nothing more will come: what Tempo holds is all there is.
      return showSummaryInRow(row, summary, found.searchFoundOrder || summary.count === 0 ? '' : M.notFoundBySearch);
    }
    showWaitingInRow(row);
    await sleep(ROW_POLL_MS);
    if (!row.isConnected) return;
  }
}

export function showSummaryInRow(row: HTMLTableRowElement, summary: TraceSummary, suffix = ''): void {
  row.cells[TRACES]!.textContent = String(summary.count);
  row.cells[BROKEN_AT]!.textContent = (summary.count === 0 ? '—' : summary.brokenAt || M.notBroken) + suffix;
  row.cells[BROKEN_AT]!.removeAttribute('title');
  row.classList.remove('waiting');
}

function showWaitingInRow(row: HTMLTableRowElement): void {
  row.cells[TRACES]!.textContent = '…';
  row.cells[BROKEN_AT]!.textContent = M.waitingForTempo;
  row.cells[BROKEN_AT]!.title = M.waitingTitle;
  row.classList.add('waiting');
}
