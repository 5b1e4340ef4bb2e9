// An order's traces, from Tempo through nginx's /tempo/: its search for the order's
// app.order.id, plus the trace id orders answered with, each trace fetched by id once.
// No DOM here: what to draw is the caller's business.

import { chainService, earliestStartNs, normalizeTraceId, spansFromTempoTrace, type VerdictSpan } from '@demo/trace-verdict';
import { config, type Order } from './api';

// Tempo 3.0's search finds a trace only once its live store has cut it to a block (5 s after
// the trace's last span, checked every 5 s) and the query frontend ends every search at
// now - 30 s (query_end_cutoff); trace-by-id finds it at once. Envoy flushes its spans every
// 5 s, the SDKs after 1 s. So an order's last trace is searchable about 30-40 s after the
// order: the page waits for the search to find the order's own trace, and gives up at 60 s.
export const WAIT_BOUND_MS = 60_000;
/** Settled when nothing new has arrived for longer than Envoy's 5 s flush interval. */
export const QUIET_MS = 6_500;
export const POLL_MS = 1_500;
// Every trace of an order starts within seconds of it: the search looks from 5 min before
// the order to 10 min after (Tempo refuses ranges over 168 h, so not "until now").
const SEARCH_BEFORE_S = 300;
const SEARCH_AFTER_S = 600;

/** What the page needs of an order to find its traces: a stored order, or a failed order's error body. */
export type OrderRef = Pick<Order, 'order_id'> & Partial<Pick<Order, 'trace_id' | 'mode' | 'created_at' | 'notification'>>;

export const traceQuery = (orderId: number) => `{ span.app.order.id = ${Number(orderId)} }`;

/** What Tempo held for an order. searchFoundOrder: the search has caught up with the order's own trace. */
export type FoundTraces =
  { ok: true; spans: VerdictSpan[]; searchFoundOrder: boolean } | { ok: false; unreachable: boolean; refusal: string };

/** An order placed where no service traces ("off"): there is nothing to look for. */
export function tracingIsOff(order: OrderRef): boolean {
  return (order.mode ?? config.mode) === 'off';
}

export async function fetchOrderTraces(order: OrderRef): Promise<FoundTraces> {
  const ownTrace = order.trace_id ? normalizeTraceId(order.trace_id) : undefined;
  const ids = new Set(ownTrace ? [ownTrace] : []);
  const placedAt = Math.floor((order.created_at ? Date.parse(order.created_at) : Date.now()) / 1000);
  const params = new URLSearchParams({
    q: traceQuery(order.order_id),
    start: String(placedAt - SEARCH_BEFORE_S),
    end: String(placedAt + SEARCH_AFTER_S),
    limit: '20',
  });
  let unreachable = false;
  // An order without a trace id of its own: the search is all there is.
  let searchFoundOrder = false;
  try {
    const response = await fetch(`/tempo/api/search?${params.toString()}`);
    if (response.status === 400) return { ok: false, unreachable: false, refusal: await response.text() };
    if (response.ok) {
      const { traces } = (await response.json()) as { traces?: { traceID: string }[] };
      for (const trace of traces ?? []) {
        const id = normalizeTraceId(trace.traceID);
        ids.add(id);
        if (id === ownTrace) searchFoundOrder = true;
      }
      if (!ownTrace) searchFoundOrder = true;
    } else unreachable = true;
  } catch {
    unreachable = true;
  }
  const answers: unknown[] = [];
  for (const id of ids) {
    try {
      const response = await fetch(`/tempo/api/v2/traces/${id}`);
      // Tempo 3 answers an id it does not hold with 200 and an empty trace ({"trace":{}}),
      // older versions with 404: either way, not ingested yet.
      if (response.ok) answers.push(await response.json());
      else if (response.status !== 404) unreachable = true;
    } catch {
      unreachable = true;
    }
  }
  if (unreachable && answers.length === 0) return { ok: false, unreachable: true, refusal: '' };
  const starts = answers.map(earliestStartNs).filter((start) => start !== undefined);
  const origin = starts.reduce((min, start) => (start < min ? start : min), starts[0] ?? 0n);
  const spans = answers.flatMap((answer) => spansFromTempoTrace(answer, origin));
  return { ok: true, spans, searchFoundOrder };
}

/**
 * Whether what Tempo holds for the order is all it will hold: the search has found the
 * order's own trace, notifications (when it was called) has spans, and nothing new has come
 * for QUIET_MS.
 */
export function isSettled(order: OrderRef, found: { spans: VerdictSpan[]; searchFoundOrder: boolean }, quietForMs: number): boolean {
  const reachedNotifications = found.spans.some((span) => chainService(span.service) === 'notifications');
  const expectsNotifications = order.notification?.status === 'sent';
  const whole = found.spans.length > 0 && (reachedNotifications || !expectsNotifications);
  return found.searchFoundOrder && whole && quietForMs >= QUIET_MS;
}

/** A row of the recent orders' table: how many traces, and where the chain broke. */
export interface TraceSummary {
  count: number;
  brokenAt: string;
}

/** Summaries that no late span or lagging search can change any more, so Tempo is asked once. */
export const settledSummaries = new Map<number, TraceSummary>();
