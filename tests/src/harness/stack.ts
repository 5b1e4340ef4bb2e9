// What the stack tests (compose-stack.test.ts under Docker, kubernetes.test.ts on a cluster)
// share: one order placed through a running stack, the spans the Tempo stand-in holds, and
// "the traces of one order", the shape the README promises per mode.
import assert from 'node:assert/strict';
import { groupByTrace } from '@demo/trace-verdict';
import { sleep, startedSince, summarizeTraces, withoutHealthChecks, type SpanRecord, type TraceSummary } from '@demo/tools';
import { LAPTOP_ORDER } from './harness';

export const ORDER = LAPTOP_ORDER;

export interface OrderAnswer {
  /** 0 when no HTTP answer came (refused, reset, timed out); body.error says why. */
  status: number;
  body: Record<string, any>;
}

/** POSTs one order to `url` (orders' /orders, or the web UI's /api/orders); never throws. */
export async function postOrder(url: string, order: object = ORDER): Promise<OrderAnswer> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(order),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  } catch (error) {
    return { status: 0, body: { error: `POST ${url}: ${(error as Error).message}` } };
  }
}

/** Every span the Tempo stand-in (tools/src/tempo-stand-in/otlp-receiver.ts) at `tempoUrl` holds. */
export async function storedSpans(tempoUrl: string): Promise<SpanRecord[]> {
  const response = await fetch(`${tempoUrl}/stand-in/spans`, { signal: AbortSignal.timeout(5000) });
  const spans = (await response.json()) as (Omit<SpanRecord, 'startNs' | 'endNs'> & { startNs: string; endNs: string })[];
  // The nanosecond times come as strings over JSON; the summaries compare them as bigints.
  return spans.map((span) => ({ ...span, startNs: BigInt(span.startNs), endNs: BigInt(span.endNs) }));
}

export interface TracesOfOneOrder {
  /** The trace id the order's answer gave. */
  traceId: string;
  orderId: number;
  /** The traces the order left, the earliest first: the answer's own trace. */
  traces: TraceSummary[];
  byTrace: Map<string, SpanRecord[]>;
}

/**
 * Places one order and returns the traces it produced, once the order's own trace has come
 * in and no new span for 7 s (Envoy flushes every 5 s). A fresh collector's first export can
 * wait on its retry backoff, hence the wait for the order's own trace before the quiet time.
 */
export async function tracesOfOneOrder(ordersUrl: string, tempoUrl: string): Promise<TracesOfOneOrder> {
  const before = new Set((await storedSpans(tempoUrl)).map((span) => span.traceId));
  const sentNs = BigInt(Date.now()) * 1_000_000n;
  const order = await postOrder(ordersUrl);
  assert.equal(order.status, 201, JSON.stringify(order.body));
  // 201 with "out_of_stock" is an order that never reached pricing: not the trace to look at.
  assert.equal(order.body.status, 'confirmed', JSON.stringify(order.body));
  const traceId = String(order.body.trace_id);
  assert.match(traceId, /^[0-9a-f]{32}$/);

  const quietMs = 7000;
  const deadline = Date.now() + 60_000;
  let fresh: SpanRecord[] = [];
  let count = -1;
  let stableSince = Date.now();
  const done = () => Date.now() - stableSince >= quietMs && fresh.some((span) => span.traceId === traceId);
  while (Date.now() < deadline && !done()) {
    await sleep(500);
    // A trace begun before the order (a restock whose last batch was still on its way) is not
    // the order's; health checks are traces too under the zero-code register hook (observe.ts).
    const arrived = (await storedSpans(tempoUrl)).filter((span) => !before.has(span.traceId));
    fresh = withoutHealthChecks(startedSince(sentNs, arrived));
    if (fresh.length !== count) {
      count = fresh.length;
      stableSince = Date.now();
    }
  }
  assert.ok(fresh.length > 0, `no span of the order (trace ${traceId}) reached the Tempo stand-in within 60 s`);
  const traces = summarizeTraces(fresh);
  assert.equal(traces[0]!.traceId, traceId, "the answer's trace id is the first trace");
  return { traceId, orderId: Number(order.body.order_id), traces, byTrace: groupByTrace(fresh) };
}

/** Runs `action` and writes how long it took to `timings[step]`, e.g. "12.3 s". */
export function timed<T>(timings: Record<string, string>, step: string, action: () => T): T {
  const start = Date.now();
  const result = action();
  timings[step] = `${((Date.now() - start) / 1000).toFixed(1)} s`;
  return result;
}
