// Where an order's traces break, in one place for the two readers: the web UI's page
// (web-ui/src/page, bundled for the browser) and the native runner's terminal line
// (tools/src/runner/order-report.ts). So nothing here uses a Node or a DOM API.
//
// The rule, for the demo's chain web-ui -> orders -> inventory -> pricing -> notifications:
// every trace after the first starts with a span that has no parent although somebody
// called it. If that span is a server span (notifications, in mode "none"), the service
// before it in the chain lost the context; if it is a client span (Envoy's egress span for
// pricing, "pricing-envoy"), its own service did. Either way that service forwarded no
// traceparent, and the break is "at" it.

/** The chain, front to back. A sidecar's spans count as its service's: pricing-envoy is pricing. */
export const CHAIN = ['web-ui', 'orders', 'inventory', 'pricing', 'notifications'] as const;

export const KIND = { internal: 1, server: 2, client: 3 } as const;

export interface VerdictSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span */
  parentSpanId: string;
  service: string;
  name: string;
  /** 1 internal, 2 server, 3 client, 4 producer, 5 consumer */
  kind: number;
  /** Milliseconds on any clock shared by all spans of the order (the page: since the order's first span). */
  start: number;
  end: number;
  error: boolean;
  attributes: Record<string, unknown>;
}

export interface TraceView {
  traceId: string;
  root: VerdictSpan;
  /** Spans in tree order (parent before children, siblings by start), each with its depth. */
  rows: { span: VerdictSpan; depth: number }[];
  /** The services, in tree order, each once: "web-ui → orders → inventory → pricing-envoy". */
  services: string[];
  /** "web-ui" or "pricing-envoy (egress)". */
  label: string;
  start: number;
  end: number;
}

export interface Verdict {
  traces: TraceView[];
  /** The service that forwarded no trace context; '' when the order's traces are whole. */
  brokenAt: string;
  /** One line for people: where it broke and why, or that nothing is broken. */
  text: string;
  /** The span that ends trace 1 where the call went on, and the one that starts trace 2 (the page words them in its language). */
  endsAt?: { service: string; name: string };
  startsAt?: { service: string; name: string };
  /**
   * Services that answered the order, yet none of whose spans is a database span: whatever
   * traced them (zero-code's library instrumentations, Envoy, the eBPF agent) saw their HTTP
   * traffic but not the SQLite queries in their code. Worked out from the spans, not the mode.
   */
  noDatabaseSpans: string[];
}

/** The services that keep their data in SQLite: each of their answered requests runs queries. */
const WITH_DATABASE = ['orders', 'inventory', 'pricing', 'notifications'];

const isDatabaseSpan = (span: VerdictSpan) => 'db.system.name' in span.attributes || 'db.system' in span.attributes;

/** The chain's service a span belongs to: the sidecar "pricing-envoy" belongs to pricing. */
export function chainService(service: string): string {
  return service.endsWith('-envoy') ? service.slice(0, -'-envoy'.length) : service;
}

/**
 * One spelling of a trace id: lowercase, 32 characters. Tempo's search trims leading zeros
 * ("0af7…" comes back as "af7…", grafana/tempo v3.0.3 pkg/util/traceid.go TraceIDToHexString)
 * while orders answers all 32; compared as they come, one trace looks like two.
 */
export function normalizeTraceId(id: string): string {
  return id.toLowerCase().padStart(32, '0');
}

/** Each span once, by span id: the same trace fetched twice must never draw its spans twice. */
export function uniqueSpans(spans: VerdictSpan[]): VerdictSpan[] {
  const bySpanId = new Map<string, VerdictSpan>();
  for (const span of spans) if (!bySpanId.has(span.spanId)) bySpanId.set(span.spanId, span);
  return [...bySpanId.values()];
}

/** Spans by trace id, each trace's in the order given: the one grouping the verdict, the runner and the Tempo stand-in use. */
export function groupByTrace<T extends { traceId: string }>(spans: Iterable<T>): Map<string, T[]> {
  const traces = new Map<string, T[]>();
  for (const span of spans) {
    const list = traces.get(span.traceId);
    if (list) list.push(span);
    else traces.set(span.traceId, [span]);
  }
  return traces;
}

/** Groups the spans of one order by trace and describes where, if anywhere, the chain broke. */
export function judgeOrder(spans: VerdictSpan[]): Verdict {
  const traces = [...groupByTrace(uniqueSpans(spans)).entries()]
    .map(([traceId, list]) => viewTrace(traceId, list))
    .sort((a, b) => a.start - b.start);
  const noDatabaseSpans = servicesWithoutDatabaseSpans(spans);
  if (traces.length === 0) return { traces, brokenAt: '', text: 'No trace of this order has arrived.', noDatabaseSpans };
  if (traces.length === 1) return { traces, brokenAt: '', text: '1 trace, nothing broken.', noDatabaseSpans };

  const next = traces[1]!;
  const brokenAt = serviceThatLostContext(next.root);
  const dangling = lastUnansweredSpan(traces[0]!, brokenAt);
  const ends = dangling
    ? `trace 1 ends at ${dangling.service}: ${dangling.name}, with no child where the call went on`
    : 'trace 1 ends early';
  const text =
    `${traces.length} traces, broken at ${brokenAt}: ${ends}; trace 2 starts at ${next.root.service}: ${next.root.name}, with no parent. ` +
    `${brokenAt} forwarded no traceparent header, so the next hop started a new trace.`;
  const endsAt = dangling ? { service: dangling.service, name: dangling.name } : undefined;
  return { traces, brokenAt, text, endsAt, startsAt: { service: next.root.service, name: next.root.name }, noDatabaseSpans };
}

/**
 * A service counts when one of its server spans (or its sidecar's) ended without an error, so
 * the request really ran its code: a fault injected before the queries, or a refused order,
 * leaves no query to see.
 */
function servicesWithoutDatabaseSpans(spans: VerdictSpan[]): string[] {
  const answered = (service: string) =>
    spans.some((span) => chainService(span.service) === service && span.kind === KIND.server && !span.error);
  const queried = (service: string) => spans.some((span) => span.service === service && isDatabaseSpan(span));
  return WITH_DATABASE.filter((service) => answered(service) && !queried(service));
}

/** "pricing: no database spans (...)" for each such service, one per line; '' when there is none. */
export function noDatabaseSpansNote(verdict: Verdict): string {
  return verdict.noDatabaseSpans
    .map((service) => `${service}: no database spans (what traced it saw its HTTP traffic, not the SQLite queries in its code)`)
    .join('\n');
}

/** "order 3: 2 traces [web-ui → orders → …] | [pricing-envoy → notifications] broken at pricing" */
export function orderLine(orderId: number | string, verdict: Verdict): string {
  const count = `${verdict.traces.length} trace${verdict.traces.length === 1 ? '' : 's'}`;
  const shapes = verdict.traces.map((trace) => `[${trace.services.join(' → ')}]`).join(' | ');
  const outcome = verdict.brokenAt ? `broken at ${verdict.brokenAt}` : verdict.traces.length ? 'nothing broken' : 'no spans';
  const unseen = verdict.noDatabaseSpans.map((service) => ` · ${service}: no database spans`).join('');
  return `order ${orderId}: ${count} ${shapes} ${outcome}${unseen}`;
}

function viewTrace(traceId: string, spans: VerdictSpan[]): TraceView {
  const ids = new Set(spans.map((span) => span.spanId));
  const byStart = [...spans].sort((a, b) => a.start - b.start);
  // A span whose parent never arrived is a root of its trace too (the parent may be late).
  const roots = byStart.filter((span) => !span.parentSpanId || !ids.has(span.parentSpanId));
  const children = new Map<string, VerdictSpan[]>();
  for (const span of byStart) if (span.parentSpanId) children.set(span.parentSpanId, [...(children.get(span.parentSpanId) ?? []), span]);
  const rows: TraceView['rows'] = [];
  // Each span is drawn once, even if broken data made a parent loop with no root in it.
  const drawn = new Set<string>();
  const visit = (span: VerdictSpan, depth: number) => {
    if (drawn.has(span.spanId)) return;
    drawn.add(span.spanId);
    rows.push({ span, depth });
    for (const child of children.get(span.spanId) ?? []) visit(child, depth + 1);
  };
  for (const root of roots) visit(root, 0);
  for (const span of byStart) visit(span, 0);
  const root = roots[0] ?? byStart[0]!;
  const side = root.service.endsWith('-envoy') ? (root.kind === KIND.client ? ' (egress)' : ' (ingress)') : '';
  return {
    traceId,
    root,
    rows,
    services: [...new Set(rows.map((row) => row.span.service))],
    label: `${root.service}${side}`,
    start: byStart[0]!.start,
    end: Math.max(...spans.map((span) => span.end)),
  };
}

function serviceThatLostContext(root: VerdictSpan): string {
  const own = chainService(root.service);
  if (root.kind === KIND.client) return own;
  const position = CHAIN.indexOf(own as (typeof CHAIN)[number]);
  return position > 0 ? CHAIN[position - 1]! : own;
}

/**
 * The span that ends the first trace where the call went on: the broken service's own last
 * span with no child (Envoy's ingress span), else the HTTP call with no child that the
 * service before it made (the call into a service that left no spans). SQL statements are
 * client spans with no child too, but nothing goes on from them.
 */
function lastUnansweredSpan(trace: TraceView, brokenAt: string): VerdictSpan | undefined {
  const parents = new Set(trace.rows.map((row) => row.span.parentSpanId));
  const leaves = trace.rows.map((row) => row.span).filter((span) => !parents.has(span.spanId));
  const latest = (list: VerdictSpan[]) => list.sort((a, b) => b.start - a.start)[0];
  const calls = leaves.filter((span) => span.kind === KIND.client && !isDatabaseSpan(span));
  const caller = CHAIN[CHAIN.indexOf(brokenAt as (typeof CHAIN)[number]) - 1];
  return (
    latest(leaves.filter((span) => chainService(span.service) === brokenAt && span.kind === KIND.server)) ??
    latest(calls.filter((span) => span.service === caller)) ??
    latest(calls)
  );
}
