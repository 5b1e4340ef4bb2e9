import type { OtlpSink } from '../tempo-stand-in/otlp-sink';
import type { SpanRecord } from '../tempo-stand-in/records';
import { judgeOrder, orderLine, type VerdictSpan } from '@demo/trace-verdict';

// The native runner's line per order, from the same verdict code as the web UI:
//
//   order 3: 2 traces [orders → inventory → pricing-envoy] | [pricing-envoy → notifications] broken at pricing
//
// A trace belongs to an order when one of its spans carries app.order.id (every SDK
// service sets it; Envoy's spans do not, but they share a trace with one that does).
// Spans arrive late and unevenly: the SDK exports after 1 s (OTEL_BSP_SCHEDULE_DELAY), the
// collector's batch after 0.2 s more, and Envoy every 5 s (envoy/envoy.yaml flush_interval_ms).
// So an order is reported once none of its spans has arrived for QUIET_MS, longer than
// Envoy's flush: reporting earlier is what printed half-traces without pricing-envoy.

export const QUIET_MS = 6500;
const ORDER_ID = 'app.order.id';

export interface OrderReport {
  stop(): void;
}

export function toVerdictSpan(span: SpanRecord): VerdictSpan {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    service: span.service,
    name: span.name,
    kind: span.kind,
    // Microseconds first: epoch nanoseconds do not fit a double exactly.
    start: Number(span.startNs / 1000n) / 1000,
    end: Number(span.endNs / 1000n) / 1000,
    error: span.statusCode === 2,
    attributes: span.attributes,
  };
}

/** Spans of every trace that carries the order id, judged like the page judges them. */
export function orderVerdict(spans: SpanRecord[], orderId: number) {
  const traceIds = new Set(spans.filter((span) => span.attributes[ORDER_ID] === orderId).map((span) => span.traceId));
  return judgeOrder(spans.filter((span) => traceIds.has(span.traceId)).map(toVerdictSpan));
}

export function reportOrders(sink: OtlpSink, print: (line: string) => void, quietMs = QUIET_MS): OrderReport {
  let cursor = 0;
  const spansByTrace = new Map<string, SpanRecord[]>();
  const orderOfTrace = new Map<string, number>();
  const lastArrival = new Map<number, number>();
  const reportedTraces = new Set<string>();

  const timer = setInterval(() => {
    // The sink drops its oldest spans when it grows too large: then read it from the start.
    if (sink.spans.length < cursor) cursor = 0;
    const now = Date.now();
    for (const span of sink.spans.slice(cursor)) {
      if (reportedTraces.has(span.traceId)) continue;
      const list = spansByTrace.get(span.traceId) ?? [];
      if (!list.some((known) => known.spanId === span.spanId)) list.push(span);
      spansByTrace.set(span.traceId, list);
      const orderId = span.attributes[ORDER_ID];
      if (typeof orderId === 'number') orderOfTrace.set(span.traceId, orderId);
      const owner = orderOfTrace.get(span.traceId);
      if (owner !== undefined) lastArrival.set(owner, now);
    }
    cursor = sink.spans.length;

    for (const [orderId, last] of lastArrival) {
      if (now - last < quietMs) continue;
      const traceIds = [...orderOfTrace].filter(([, owner]) => owner === orderId).map(([traceId]) => traceId);
      const spans = traceIds.flatMap((traceId) => spansByTrace.get(traceId) ?? []);
      print(orderLine(orderId, judgeOrder(spans.map(toVerdictSpan))));
      lastArrival.delete(orderId);
      for (const traceId of traceIds) {
        spansByTrace.delete(traceId);
        orderOfTrace.delete(traceId);
        reportedTraces.add(traceId);
      }
    }
    // Traces no order ever claimed (a health check, the stock releaser): forget them after a while.
    if (spansByTrace.size > 5000)
      for (const traceId of [...spansByTrace.keys()].slice(0, 1000)) if (!orderOfTrace.has(traceId)) spansByTrace.delete(traceId);
    if (reportedTraces.size > 10_000) reportedTraces.clear();
  }, 500);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
