import type http from 'node:http';
import type { SpanRecord } from './otlp-sink';

// The two read endpoints of Tempo's HTTP API that the web UI uses, answered by the OTLP
// receiver where Tempo cannot run (natively, and as Tempo's stand-in in the compose and
// Kubernetes tests). Shapes as grafana/tempo v3.0.3 (the pinned image) writes them:
//
//   GET /api/search?q=<TraceQL>&start=<unix s>&end=<unix s>&limit=<n>&spss=<n>
//     -> {"traces": [{traceID, rootServiceName, rootTraceName, startTimeUnixNano,
//         durationMs, serviceStats, spanSet, spanSets: [{spans, matched}]}], "metrics": {...}}
//     (tempopb.SearchResponse, pkg/tempopb/tempo.proto; docs/sources/tempo/api_docs)
//   GET /api/v2/traces/<trace id>
//     -> {"trace": {"resourceSpans": [...]}} in protobuf JSON: ids in base64, the span kind
//        as "SPAN_KIND_SERVER", 64-bit numbers as strings.
//
// The stand-in runs the one kind of TraceQL the page sends: a spanset filter of equalities
// joined by &&, e.g. { span.app.order.id = 3 } or { resource.service.name = "orders" }. Any
// other query gets 400 with a message, as Tempo answers a query it cannot parse.

type Literal = string | number | boolean;
interface Condition {
  scope: 'span' | 'resource' | 'any';
  attribute: string;
  value: Literal;
}

export type ParsedQuery = { ok: true; conditions: Condition[] } | { ok: false; message: string };

/** Parses `{ <scope>.<attribute> = <literal> [&& ...] }`; `{}` matches every span. */
export function parseTraceQl(query: string): ParsedQuery {
  const fail = (message: string): ParsedQuery => ({
    ok: false,
    message: `invalid TraceQL query: ${message}. This stand-in for Tempo runs only spanset filters of equalities joined by &&, e.g. { span.app.order.id = 3 }`,
  });
  const body = /^\s*\{(.*)\}\s*$/s.exec(query);
  if (!body) return fail('a spanset filter starts with { and ends with }');
  const inner = body[1]!.trim();
  if (inner === '') return { ok: true, conditions: [] };
  const conditions: Condition[] = [];
  for (const part of inner.split('&&')) {
    const match = /^\s*(span\.|resource\.|\.)([A-Za-z_][\w.\-/]*)\s*=\s*(".*"|-?\d+(?:\.\d+)?|true|false)\s*$/s.exec(part);
    if (!match) return fail(`cannot read the condition "${part.trim()}"`);
    const [, scopeText, attribute, literal] = match as unknown as [string, string, string, string];
    const scope = scopeText === 'span.' ? 'span' : scopeText === 'resource.' ? 'resource' : 'any';
    let value: Literal;
    if (literal.startsWith('"')) {
      try {
        value = JSON.parse(literal) as string;
      } catch {
        return fail(`the string ${literal} is not closed or escaped properly`);
      }
    } else value = literal === 'true' ? true : literal === 'false' ? false : Number(literal);
    conditions.push({ scope, attribute, value });
  }
  return { ok: true, conditions };
}

function spanMatches(span: SpanRecord, conditions: Condition[]): boolean {
  return conditions.every(({ scope, attribute, value }) => {
    const fromResource = span.resource?.[attribute] ?? (attribute === 'service.name' ? span.service : undefined);
    const fromSpan = span.attributes[attribute];
    if (scope === 'resource') return fromResource === value;
    if (scope === 'span') return fromSpan === value;
    return fromSpan === value || fromResource === value;
  });
}

type Answer = { status: number; body: unknown };

const badRequest = (message: string): Answer => ({ status: 400, body: message });

function epochSeconds(params: URLSearchParams, name: string): { ok: true; value: number | undefined } | { ok: false; answer: Answer } {
  const raw = params.get(name);
  if (raw === null || raw === '') return { ok: true, value: undefined };
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    return { ok: false, answer: badRequest(`invalid ${name}: "${raw}" is not unix epoch seconds`) };
  return { ok: true, value };
}

function positiveInt(params: URLSearchParams, name: string, fallback: number): { ok: true; value: number } | { ok: false; answer: Answer } {
  const raw = params.get(name);
  if (raw === null || raw === '') return { ok: true, value: fallback };
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    return { ok: false, answer: badRequest(`invalid ${name}: "${raw}" is not a positive integer`) };
  return { ok: true, value };
}

/** GET /api/search: every trace with at least one span matching the query, newest first. */
export function searchTraces(spans: SpanRecord[], params: URLSearchParams): Answer {
  const query = parseTraceQl(params.get('q') ?? '{}');
  if (!query.ok) return badRequest(query.message);
  const start = epochSeconds(params, 'start');
  if (!start.ok) return start.answer;
  const end = epochSeconds(params, 'end');
  if (!end.ok) return end.answer;
  if (start.value !== undefined && end.value !== undefined && end.value < start.value)
    return badRequest('invalid start and end: end is before start');
  const limit = positiveInt(params, 'limit', 20);
  if (!limit.ok) return limit.answer;
  const spansPerSpanSet = positiveInt(params, 'spss', 3);
  if (!spansPerSpanSet.ok) return spansPerSpanSet.answer;

  const byTrace = new Map<string, SpanRecord[]>();
  for (const span of spans) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
  const traces = [];
  for (const [traceId, traceSpans] of byTrace) {
    const first = traceSpans.reduce((a, b) => (b.startNs < a.startNs ? b : a));
    const lastEnd = traceSpans.reduce((max, span) => (span.endNs > max ? span.endNs : max), 0n);
    if (start.value !== undefined && lastEnd < BigInt(start.value) * 1_000_000_000n) continue;
    if (end.value !== undefined && first.startNs > BigInt(end.value) * 1_000_000_000n) continue;
    const matched = traceSpans.filter((span) => spanMatches(span, query.conditions));
    if (matched.length === 0) continue;
    traces.push({ traceId, traceSpans, matched, first, lastEnd });
  }
  traces.sort((a, b) => (a.first.startNs > b.first.startNs ? -1 : 1));
  return {
    status: 200,
    body: {
      traces: traces.slice(0, limit.value).map((trace) => describeTrace(trace, spansPerSpanSet.value, query.conditions)),
      metrics: { inspectedTraces: byTrace.size, completedJobs: 1, totalJobs: 1 },
    },
  };
}

function describeTrace(
  {
    traceId,
    traceSpans,
    matched,
    first,
    lastEnd,
  }: { traceId: string; traceSpans: SpanRecord[]; matched: SpanRecord[]; first: SpanRecord; lastEnd: bigint },
  spansPerSpanSet: number,
  conditions: Condition[],
) {
  const ids = new Set(traceSpans.map((span) => span.spanId));
  const root = traceSpans.find((span) => !span.parentSpanId || !ids.has(span.parentSpanId));
  const serviceStats: Record<string, { spanCount: number; errorCount?: number }> = {};
  for (const span of traceSpans) {
    const stats = (serviceStats[span.service] ??= { spanCount: 0 });
    stats.spanCount++;
    if (span.statusCode === 2) stats.errorCount = (stats.errorCount ?? 0) + 1;
  }
  const spanSet = {
    spans: matched.slice(0, spansPerSpanSet).map((span) => ({
      spanID: span.spanId,
      name: span.name,
      startTimeUnixNano: span.startNs.toString(),
      durationNanos: (span.endNs - span.startNs).toString(),
      attributes: conditions.map(({ attribute }) => ({
        key: attribute,
        value: anyValue(attribute === 'service.name' ? span.service : span.attributes[attribute]),
      })),
    })),
    matched: matched.length,
  };
  return {
    traceID: traceId,
    // Tempo's words for a trace whose root span has not arrived (pkg/search/util.go).
    rootServiceName: root && !root.parentSpanId ? root.service : '<root span not yet received>',
    ...(root && !root.parentSpanId ? { rootTraceName: root.name } : {}),
    startTimeUnixNano: first.startNs.toString(),
    durationMs: Number((lastEnd - first.startNs) / 1_000_000n),
    spanSet,
    spanSets: [spanSet],
    serviceStats,
  };
}

function anyValue(value: unknown): Record<string, unknown> {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  return {};
}

const KIND_NAMES = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
];
const STATUS_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];
const base64 = (hex: string) => (hex ? Buffer.from(hex, 'hex').toString('base64') : undefined);

/** GET /api/v2/traces/<id>: the trace in Tempo's protobuf-JSON shape, one batch per service. */
export function traceById(spans: SpanRecord[], traceId: string): Answer {
  const traceSpans = spans.filter((span) => span.traceId === traceId);
  // 404 for an unknown id, as Tempo's combiner answers (modules/frontend/combiner/common.go).
  if (traceSpans.length === 0) return { status: 404, body: 'trace not found' };
  const byService = new Map<string, SpanRecord[]>();
  for (const span of traceSpans) byService.set(span.service, [...(byService.get(span.service) ?? []), span]);
  const resourceSpans = [...byService].map(([service, list]) => ({
    // The resource as the service sent it (the first span's batch), as Tempo returns it.
    resource: {
      attributes: Object.entries(list[0]!.resource ?? { 'service.name': service }).map(([key, value]) => ({ key, value: anyValue(value) })),
    },
    scopeSpans: [
      {
        spans: list.map((span) => ({
          traceId: base64(span.traceId),
          spanId: base64(span.spanId),
          ...(span.parentSpanId ? { parentSpanId: base64(span.parentSpanId) } : {}),
          name: span.name,
          kind: KIND_NAMES[span.kind] ?? 'SPAN_KIND_UNSPECIFIED',
          startTimeUnixNano: span.startNs.toString(),
          endTimeUnixNano: span.endNs.toString(),
          attributes: Object.entries(span.attributes).map(([key, value]) => ({ key, value: anyValue(value) })),
          status: span.statusCode
            ? { code: STATUS_NAMES[span.statusCode], ...(span.statusMessage ? { message: span.statusMessage } : {}) }
            : {},
        })),
      },
    ],
  }));
  return { status: 200, body: { trace: { resourceSpans } } };
}

/** Answers the request if it is one of the Tempo query endpoints above; false otherwise. */
export function answerTempoQuery(request: http.IncomingMessage, response: http.ServerResponse, spans: SpanRecord[]): boolean {
  if (request.method !== 'GET') return false;
  const url = new URL(request.url ?? '/', 'http://receiver');
  let answer: Answer;
  if (url.pathname === '/api/search') answer = searchTraces(spans, url.searchParams);
  else {
    const byId = /^\/api\/v2\/traces\/([0-9a-f]{32})$/.exec(url.pathname);
    if (!byId) return false;
    answer = traceById(spans, byId[1]!);
  }
  const text = typeof answer.body === 'string';
  response
    .writeHead(answer.status, { 'content-type': text ? 'text/plain; charset=utf-8' : 'application/json' })
    .end(text ? answer.body : JSON.stringify(answer.body));
  return true;
}
