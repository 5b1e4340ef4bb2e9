import type { Chain } from './chain';
import type { OtlpSink } from '../tempo-stand-in/otlp-sink';
import type { SpanRecord } from '../tempo-stand-in/records';
import { summarizeTraces, type TraceSummary } from './traces';
import { waitFor } from './process';

// Send one order and collect every span it produced: the heart of the mode comparison and of
// the trace-shape tests. Telemetry arrives asynchronously (SDK batches, Envoy's flush, the
// collector's batch), so this waits until notifications' span is in and nothing new has
// arrived for a moment.

export interface ObservedOrder {
  status: number;
  body: any;
  spans: SpanRecord[];
  traces: TraceSummary[];
}

export async function observeOneOrder(
  chain: Chain,
  sink: OtlpSink,
  order: object = { user_id: 1001, product_name: 'Laptop', quantity: 2 },
  headers: Record<string, string> = {},
): Promise<ObservedOrder> {
  sink.clear();
  const sentNs = BigInt(Date.now()) * 1_000_000n;
  const response = await fetch(`${chain.ordersUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(order),
    signal: AbortSignal.timeout(15_000),
  });
  const body = await response.json();
  // An order that failed before notifications has no notifications span: then wait for orders'.
  const lastService = response.status === 201 ? 'notifications' : 'orders';
  await waitFor(() => sink.spans.some((span) => span.service === lastService), 20_000, `${lastService}' spans to reach the receiver`);
  await sink.waitForQuiet(1500, 20_000);
  const spans = withoutHealthChecks(startedSince(sentNs, sink.spans));
  return { status: response.status, body, spans, traces: summarizeTraces(spans) };
}

/** Only traces with a span that started since `ns`: a trace begun before the order (a late batch from start-up) is not the order's. */
export function startedSince(ns: bigint, spans: SpanRecord[]): SpanRecord[] {
  const recent = new Set(spans.filter((span) => span.startNs >= ns).map((span) => span.traceId));
  return spans.filter((span) => recent.has(span.traceId));
}

/**
 * The spans minus every trace that is a health check. This project's bootstrap never traces
 * GET /health; the zero-code register hook has no setting to skip a path, so under it each
 * probe (the runner's wait for a service to be up, Docker's and the kubelet's checks) is a
 * trace of its own.
 */
export function withoutHealthChecks(spans: SpanRecord[]): SpanRecord[] {
  const isHealthCheck = (span: SpanRecord) => span.attributes['url.path'] === '/health' || span.attributes['http.route'] === '/health';
  const healthChecks = new Set(spans.filter(isHealthCheck).map((span) => span.traceId));
  return spans.filter((span) => !healthChecks.has(span.traceId));
}
