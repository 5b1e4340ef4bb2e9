// The result card: what orders answered, the trace id with its Grafana link, and, while
// Tempo fills in, the order's traces drawn with the one line that says where they broke.

import { judgeOrder, normalizeTraceId } from '@demo/trace-verdict';
import { grafanaTraceUrl, type Order } from './api';
import { byId, element, money, sleep } from './dom';
import { M } from './language';
import {
  fetchOrderTraces,
  isSettled,
  POLL_MS,
  type OrderRef,
  settledSummaries,
  traceQuery,
  tracingIsOff,
  WAIT_BOUND_MS,
} from './order-traces';
import { rowOf, showSummaryInRow } from './recent-orders';
import { drawTraces, faultNote } from './waterfall';

export type ResultKind = 'success' | 'warning' | 'failure';

/** Bumped by every new result, so the drawing of an older order stops. */
let drawing = 0;

/** An order's rows for the result card: its number, mode, status, stock, price and notification. */
export function describe(order: Order): [string, string][] {
  const rows: [string, string][] = [
    [M.rows.order, `#${order.order_id}`],
    [M.rows.mode, order.mode ?? 'unknown'],
    [M.rows.status, M.status(order.status)],
  ];
  const stock = order.inventory_check;
  if (stock)
    rows.push([
      M.rows.stock,
      stock.available ? M.rows.reserved(stock.reserved, stock.remaining_stock) : M.rows.notEnough(stock.in_stock, stock.requested),
    ]);
  if (order.price) {
    const discount = order.price.discount_percent ? M.rows.discount(order.price.discount_percent) : '';
    rows.push([M.rows.price, `${order.price.quantity} × ${money(order.price.unit_price)} = ${money(order.price.total)}${discount}`]);
  }
  if (order.notification)
    rows.push([
      M.rows.notification,
      order.notification.status === 'sent' ? M.rows.sentBy(order.notification.channel) : M.rows.skipped(order.notification.reason),
    ]);
  return rows;
}

export function showResult(kind: ResultKind, summary: string, rows: [string, string][], traceId: string | undefined): void {
  const card = byId('result', HTMLElement);
  card.hidden = false;
  card.className = `card ${kind}`;
  byId('result-summary', HTMLParagraphElement).textContent = summary;
  byId('result-details', HTMLElement).replaceChildren(
    ...rows.flatMap(([term, value]) => [element('dt', '', term), element('dd', '', value)]),
  );
  const hasTrace = typeof traceId === 'string' && traceId.length === 32;
  byId('trace-id', HTMLElement).textContent = hasTrace ? traceId : M.notTraced;
  byId('copy-trace', HTMLButtonElement).hidden = !hasTrace;
  const link = byId('grafana-link', HTMLAnchorElement);
  link.hidden = !hasTrace;
  if (hasTrace) link.href = grafanaTraceUrl(normalizeTraceId(traceId));
  drawing++;
  byId('grafana-order-link', HTMLAnchorElement).hidden = true;
  byId('waterfall', HTMLDivElement).replaceChildren();
  byId('waterfall-note', HTMLParagraphElement).textContent = '';
  setVerdict('', undefined);
  showUnseen([]);
}

/** The one line that names the break; data-broken-at and data-state are for tests and users' own scripts. */
function setVerdict(text: string, brokenAt: string | undefined, state?: 'waiting' | 'final'): void {
  const verdict = byId('verdict', HTMLParagraphElement);
  verdict.textContent = text;
  verdict.hidden = text === '';
  if (brokenAt === undefined) verdict.removeAttribute('data-broken-at');
  else verdict.dataset.brokenAt = brokenAt;
  if (state) verdict.dataset.state = state;
  else verdict.removeAttribute('data-state');
}

/** One line per service the order's spans show only from outside: no database span of its own. */
function showUnseen(services: string[]): void {
  const list = byId('unseen', HTMLUListElement);
  list.replaceChildren(
    ...services.map((service) => {
      const item = element('li', '', M.noDatabaseSpans(service));
      item.dataset.service = service;
      return item;
    }),
  );
  list.hidden = services.length === 0;
}

/** Draws the order's traces as Tempo fills in, until they are settled or WAIT_BOUND_MS has passed. */
export async function showOrderTraces(order: OrderRef, fault: string): Promise<void> {
  const mine = ++drawing;
  const note = byId('waterfall-note', HTMLParagraphElement);
  // The order's own mode first: an order placed under another compose file keeps its traces.
  if (tracingIsOff(order)) return setVerdict(M.tracingOff, undefined);
  setVerdict(M.lookingInTempo, undefined, 'waiting');
  const query = traceQuery(order.order_id);
  note.textContent = M.searchingTempo(query);
  const search = byId('grafana-order-link', HTMLAnchorElement);
  search.href = grafanaTraceUrl(query);
  search.textContent = M.everyTraceInGrafana(order.order_id, query);
  search.hidden = false;
  const started = Date.now();
  let lastKey = '';
  let lastChange = started;
  for (;;) {
    await sleep(POLL_MS);
    if (mine !== drawing) return; // a newer order replaced this one
    const found = await fetchOrderTraces(order);
    if (mine !== drawing) return;
    const waited = Date.now() - started;
    if (!found.ok) {
      if (!found.unreachable || waited > 3 * POLL_MS) {
        byId('waterfall', HTMLDivElement).replaceChildren();
        setVerdict('', undefined, 'final');
        note.textContent = found.unreachable ? M.previewUnavailable : M.tempoRefused(found.refusal);
        return;
      }
      continue;
    }
    const verdict = judgeOrder(found.spans);
    const key = `${found.searchFoundOrder}|${verdict.traces.map((trace) => `${trace.traceId}:${trace.rows.length}`).join(',')}`;
    if (key !== lastKey) {
      lastKey = key;
      lastChange = Date.now();
      const hits = drawTraces(verdict, fault);
      // Counted from the verdict's trees, where each span is once (judgeOrder drops repeats).
      const drawn = verdict.traces.flatMap((trace) => trace.rows.map((row) => row.span));
      const services = new Set(drawn.map((span) => span.service)).size;
      note.textContent = `${M.drawnNote(drawn.length, services, M.traces(verdict.traces.length))}${faultNote(fault, hits)}`;
    }
    if (isSettled(order, found, Date.now() - lastChange)) {
      setVerdict(M.verdict(verdict), verdict.brokenAt, 'final');
      showUnseen(verdict.noDatabaseSpans);
      const summary = { count: verdict.traces.length, brokenAt: verdict.brokenAt };
      settledSummaries.set(order.order_id, summary);
      const row = rowOf(order.order_id);
      if (row) showSummaryInRow(row, summary);
      return;
    }
    if (waited >= WAIT_BOUND_MS) {
      const missing = found.spans.length === 0 ? M.missingAll : !found.searchFoundOrder ? M.missingSearch : M.missingNotifications;
      // Not "nothing broken": the page could not see all of the order.
      const text = verdict.brokenAt ? M.verdict(verdict) : M.found(M.traces(verdict.traces.length));
      return setVerdict(M.gaveUp(text, missing, WAIT_BOUND_MS / 1000), verdict.brokenAt, 'final');
    }
    const waitingFor = found.searchFoundOrder ? M.lateSpans : M.laggingSearch;
    setVerdict(M.waitingFor(M.traces(verdict.traces.length), waitingFor, Math.round(waited / 1000)), undefined, 'waiting');
  }
}
