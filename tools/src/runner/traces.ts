import { groupByTrace } from '@demo/trace-verdict';
import type { SpanRecord } from '../tempo-stand-in/records';

// Turning a pile of spans into what a person looks for in Grafana: how many traces one order
// produced, which services each holds, and where the chain broke.

export const SPAN_KIND = { internal: 1, server: 2, client: 3 } as const;

export interface TraceSummary {
  traceId: string;
  /** Services in the order their first span started. */
  services: string[];
  spanCount: number;
  spansPerService: Record<string, number>;
  /** The service of the span with no parent in this trace. */
  rootService: string;
}

export function summarizeTrace(spans: SpanRecord[]): TraceSummary {
  const sorted = [...spans].sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
  const spansPerService: Record<string, number> = {};
  for (const span of sorted) spansPerService[span.service] = (spansPerService[span.service] ?? 0) + 1;
  const ids = new Set(sorted.map((span) => span.spanId));
  const root = sorted.find((span) => !span.parentSpanId || !ids.has(span.parentSpanId));
  return {
    traceId: sorted[0]?.traceId ?? '',
    services: Object.keys(spansPerService),
    spanCount: sorted.length,
    spansPerService,
    rootService: root?.service ?? 'unknown',
  };
}

/** Traces ordered by when they started: the order's first trace comes first. */
export function summarizeTraces(spans: SpanRecord[]): TraceSummary[] {
  const traces = [...groupByTrace(spans).values()];
  const start = (list: SpanRecord[]) => list.reduce((min, span) => (span.startNs < min ? span.startNs : min), list[0]!.startNs);
  traces.sort((a, b) => (start(a) < start(b) ? -1 : 1));
  return traces.map(summarizeTrace);
}

/** The span's parent in the same list, if any. */
export function parentOf(span: SpanRecord, spans: SpanRecord[]): SpanRecord | undefined {
  return spans.find((candidate) => candidate.spanId === span.parentSpanId);
}

/** The chain of services from the span up to the root: ['notifications', 'pricing', ...]. */
export function ancestry(span: SpanRecord, spans: SpanRecord[]): SpanRecord[] {
  const chain: SpanRecord[] = [];
  for (let current = parentOf(span, spans); current; current = parentOf(current, spans)) chain.push(current);
  return chain;
}

/** The server span a service opened for a request (the first one, if several). */
export function serverSpan(spans: SpanRecord[], service: string): SpanRecord | undefined {
  return spans.find((span) => span.service === service && span.kind === SPAN_KIND.server);
}
