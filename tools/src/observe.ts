import type { Chain } from './chain';
import type { OtlpSink, SpanRecord } from './otlp-sink';
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
  const spans = [...sink.spans];
  return { status: response.status, body, spans, traces: summarizeTraces(spans) };
}
