import type http from 'node:http';
import type { SpanRecord } from './records';
import { groupByTrace, SPAN_KIND_NAMES } from '@demo/trace-verdict';

// The two read endpoints of Tempo's HTTP API that the web UI uses, answered by the OTLP
// receiver where Tempo cannot run (natively, and as Tempo's stand-in in the compose and
// Kubernetes tests). It answers as grafana/tempo v3.0.3 (the pinned image) does; each
// behaviour cites the file at that tag it was read from. docs/testing.md has the same list as
// a table, with the test that covers each row: re-read those files when TEMPO_VERSION moves.
//
//   GET /api/search?q=<TraceQL>&start=<unix s>&end=<unix s>&limit=<n>&spss=<n>
//   GET /api/v2/traces/<trace id>
//
// It runs the one kind of TraceQL the page sends: a spanset filter of equalities joined by
// &&, e.g. { span.app.order.id = 3 } or { resource.service.name = "orders" }. Any other query
// gets 400 with a message, as Tempo answers a query it cannot parse.

/** How the stand-in plays the pinned Tempo; `tempoBehaviour()` gives Tempo's defaults. */
export interface TempoBehaviour {
  /**
   * false (Tempo): search finds a trace only after the live store has cut it and the query
   * frontend's cutoff has passed, about 30-40 s after the trace's last span. true: search
   * finds every trace as soon as its spans arrive (`npm run local -- --instant-search`).
   */
  instantSearch: boolean;
  /** Tempo's left_pad_trace_ids override: search results carry 32-character ids. */
  leftPadTraceIds: boolean;
  /** When the live store started: its cut loop ticks every CUT_CHECK_MS from here. */
  startedMs: number;
}

export const tempoBehaviour = (overrides: Partial<TempoBehaviour> = {}): TempoBehaviour => ({
  instantSearch: false,
  leftPadTraceIds: false,
  startedMs: Date.now(),
  ...overrides,
});

// modules/frontend/config.go and frontend.go: query_end_cutoff defaults to 30s; every
// search's end is pulled back to now - 30 s (pkg/api/http.go ClampDateRangeReq).
export const QUERY_END_CUTOFF_MS = 30_000;
// modules/livestore/config.go: a trace is cut to a searchable block once it has been idle
// for max_trace_idle (5s); the live store checks every flush_check_period (5s). Search reads
// only cut blocks; trace-by-id reads live traces too (modules/livestore/instance_search.go).
// (A trace still receiving spans after max_trace_live, 30 s, is cut too; the demo's traces
// end within seconds, so that is not played.)
export const TRACE_IDLE_MS = 5_000;
export const CUT_CHECK_MS = 5_000;
// modules/frontend/config.go: search.default_result_limit 20, max_result_limit 262144,
// max_duration 168h, query_backend_after 15m (the start of a search without one),
// default_spans_per_span_set 3, max_spans_per_span_set 100.
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 262_144;
const MAX_RANGE_S = 168 * 3600;
const BACKEND_AFTER_S = 15 * 60;
const DEFAULT_SPANS_PER_SPAN_SET = 3;
const MAX_SPANS_PER_SPAN_SET = 100;

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

// An int literal matches int attributes only, not the string "3" (pkg/traceql/expr.y).
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

// Tempo writes its 400s as the bare error text (modules/frontend httpInvalidRequest; Go sniffs it as text/plain).
const badRequest = (message: string): Answer => ({ status: 400, body: message });

// pkg/api/http.go ParseSearchRequest reads start and end as unsigned 32-bit seconds.
function epochSeconds(params: URLSearchParams, name: string): { ok: true; value: number } | { ok: false; answer: Answer } {
  const raw = params.get(name) ?? '';
  if (raw === '') return { ok: true, value: 0 };
  const value = Number(raw);
  if (!/^\d+$/.test(raw)) return { ok: false, answer: badRequest(`invalid ${name}: strconv.ParseUint: parsing "${raw}": invalid syntax`) };
  if (value > 0xffff_ffff)
    return { ok: false, answer: badRequest(`invalid ${name}: strconv.ParseUint: parsing "${raw}": value out of range`) };
  return { ok: true, value };
}

// pkg/api/http.go ParseSearchRequestWithDefault: limit and spss must be positive integers.
function positiveInt(params: URLSearchParams, name: string, fallback: number): { ok: true; value: number } | { ok: false; answer: Answer } {
  const raw = params.get(name) ?? '';
  if (raw === '') return { ok: true, value: fallback };
  const value = Number(raw);
  if (!/^\d+$/.test(raw)) return { ok: false, answer: badRequest(`invalid ${name}: strconv.Atoi: parsing "${raw}": invalid syntax`) };
  if (value === 0) return { ok: false, answer: badRequest(`invalid ${name}: must be a positive number`) };
  return { ok: true, value };
}

/**
 * The spans of one trace that search sees at `nowMs`: those the live store has cut to a
 * block. Its cut loop ticks every CUT_CHECK_MS and cuts a trace idle for TRACE_IDLE_MS; a
 * span that arrives after a cut waits for a later one.
 */
function searchableSpans(trace: SpanRecord[], behaviour: TempoBehaviour, nowMs: number): SpanRecord[] {
  const arrivedAt = (span: SpanRecord) => span.receivedMs ?? behaviour.startedMs;
  const byArrival = [...trace].sort((a, b) => arrivedAt(a) - arrivedAt(b));
  const firstTickAfter = (ms: number) => behaviour.startedMs + Math.ceil((ms - behaviour.startedMs) / CUT_CHECK_MS) * CUT_CHECK_MS;
  const searchable: SpanRecord[] = [];
  let index = 0;
  while (index < byArrival.length) {
    // The group the next cut takes: a span arriving before the tick keeps the trace live.
    let last = index;
    let cutAt = firstTickAfter(arrivedAt(byArrival[last]!) + TRACE_IDLE_MS);
    while (last + 1 < byArrival.length && arrivedAt(byArrival[last + 1]!) < cutAt) {
      last++;
      cutAt = firstTickAfter(arrivedAt(byArrival[last]!) + TRACE_IDLE_MS);
    }
    if (cutAt > nowMs) break;
    searchable.push(...byArrival.slice(index, last + 1));
    index = last + 1;
  }
  return searchable;
}

/** Tempo's hex form of a trace id in search results (pkg/util/traceid.go TraceIDToHexString). */
function searchResultTraceId(traceId: string, behaviour: TempoBehaviour): string {
  const trimmed = traceId.replace(/^0+/, '');
  // modules/frontend/combiner/search.go: padded back only with the left_pad_trace_ids override.
  return behaviour.leftPadTraceIds ? trimmed.padStart(32, '0') : trimmed;
}

/** GET /api/search: every trace with at least one span matching the query, newest first. */
export function searchTraces(spans: SpanRecord[], params: URLSearchParams, behaviour: TempoBehaviour, nowMs = Date.now()): Answer {
  const query = parseTraceQl(params.get('q') ?? '{}');
  if (!query.ok) return badRequest(query.message);
  const startParam = epochSeconds(params, 'start');
  if (!startParam.ok) return startParam.answer;
  const endParam = epochSeconds(params, 'end');
  if (!endParam.ok) return endParam.answer;
  const limit = positiveInt(params, 'limit', DEFAULT_LIMIT);
  if (!limit.ok) return limit.answer;
  const spansPerSpanSet = positiveInt(params, 'spss', DEFAULT_SPANS_PER_SPAN_SET);
  if (!spansPerSpanSet.ok) return spansPerSpanSet.answer;
  // pkg/api/http.go: a start without an end reads as end 0, so "start must be before end".
  if (startParam.value !== 0 && endParam.value <= startParam.value)
    return badRequest(`http parameter start must be before end. received start=${startParam.value} end=${endParam.value}`);
  if (startParam.value === 0 && endParam.value !== 0)
    return badRequest('error parsing date range: only one of start and end provided: must provide both or neither');
  // modules/frontend/search_handlers.go adjustLimit; search_sharder.go.
  if (limit.value > MAX_LIMIT) return badRequest(`limit ${limit.value} exceeds max limit ${MAX_LIMIT}`);
  if (spansPerSpanSet.value > MAX_SPANS_PER_SPAN_SET)
    return badRequest(`spans per span set exceeds ${MAX_SPANS_PER_SPAN_SET}. received ${spansPerSpanSet.value}`);

  // pkg/api/http.go ClampDateRangeReq: no range is the last 15 minutes; the end is pulled
  // back to now - 30 s, and a start that is then after the end goes back to now - 15 min.
  const nowS = Math.floor(nowMs / 1000);
  // --instant-search: no cutoff, and the current second counts.
  const latestEnd = behaviour.instantSearch ? nowS + 1 : Math.floor((nowMs - QUERY_END_CUTOFF_MS) / 1000);
  let start = startParam.value;
  let end = endParam.value;
  if (start === 0 && end === 0) [start, end] = [nowS - BACKEND_AFTER_S, latestEnd];
  else if (end > latestEnd) {
    end = latestEnd;
    if (start > end) start = nowS - BACKEND_AFTER_S;
  }
  // modules/frontend/search_sharder.go: a range over max_duration is refused.
  if (end - start > MAX_RANGE_S) return badRequest(`range specified by start and end exceeds 168h0m0s. received start=${start} end=${end}`);

  const byTrace = groupByTrace(spans);
  const traces = [];
  for (const [traceId, allOfTrace] of byTrace) {
    const traceSpans = behaviour.instantSearch ? allOfTrace : searchableSpans(allOfTrace, behaviour, nowMs);
    if (traceSpans.length === 0) continue;
    const first = traceSpans.reduce((a, b) => (b.startNs < a.startNs ? b : a));
    const lastEnd = traceSpans.reduce((max, span) => (span.endNs > max ? span.endNs : max), 0n);
    // A trace is in the range when its time overlaps it, both ends included
    // (tempodb/encoding/vparquet4/block_traceql.go).
    if (lastEnd < BigInt(start) * 1_000_000_000n) continue;
    if (first.startNs > BigInt(end) * 1_000_000_000n) continue;
    const matched = traceSpans.filter((span) => spanMatches(span, query.conditions));
    if (matched.length === 0) continue;
    traces.push({ traceId, traceSpans, matched, first, lastEnd });
  }
  traces.sort((a, b) => (a.first.startNs > b.first.startNs ? -1 : 1));
  return {
    status: 200,
    body: {
      traces: traces
        .slice(0, limit.value)
        .map((trace) => describeTrace(trace, spansPerSpanSet.value, query.conditions, searchResultTraceId(trace.traceId, behaviour))),
      metrics: { inspectedTraces: byTrace.size, completedJobs: 1, totalJobs: 1 },
    },
  };
}

// The fields of tempopb.TraceSearchMetadata (pkg/tempopb/tempo.pb.go), as jsonpb writes them.
function describeTrace(
  { traceSpans, matched, first, lastEnd }: { traceSpans: SpanRecord[]; matched: SpanRecord[]; first: SpanRecord; lastEnd: bigint },
  spansPerSpanSet: number,
  conditions: Condition[],
  traceID: string,
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
    traceID,
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

const STATUS_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];
const base64 = (hex: string) => (hex ? Buffer.from(hex, 'hex').toString('base64') : undefined);

/**
 * A trace id from the URL as Tempo reads it (pkg/util/traceid.go hexStringToID, checked by
 * the frontend before any job runs): hex of either case, a short id padded with zeros to
 * 128 bits; anything else is a 400 with Tempo's words.
 */
export function parseTraceIdParam(text: string): { ok: true; traceId: string } | { ok: false; message: string } {
  const bad = /[^0-9a-fA-F]/.exec(text);
  if (bad)
    return { ok: false, message: `trace IDs can only contain hex characters: invalid character '${bad[0]}' at position ${bad.index + 1}` };
  const trimmed = text.length % 2 === 1 ? `0${text}` : text;
  if (trimmed.length > 32) return { ok: false, message: "trace IDs can't be larger than 128 bits" };
  return { ok: true, traceId: trimmed.toLowerCase().padStart(32, '0') };
}

/** GET /api/v2/traces/<id>: the trace in Tempo's protobuf-JSON shape, one batch per service. */
export function traceById(spans: SpanRecord[], traceIdText: string): Answer {
  const parsed = parseTraceIdParam(traceIdText);
  if (!parsed.ok) return badRequest(parsed.message);
  const traceSpans = spans.filter((span) => span.traceId === parsed.traceId);
  // An id Tempo does not hold: 200 with an empty trace and empty metrics, never 404 on v2
  // (modules/frontend/combiner/trace_by_id_v2.go; grafana/tempo#5105).
  if (traceSpans.length === 0) return { status: 200, body: { trace: {}, metrics: {} } };
  const byService = new Map<string, SpanRecord[]>();
  for (const span of traceSpans) byService.set(span.service, [...(byService.get(span.service) ?? []), span]);
  const resourceSpans = [...byService].map(([service, list]) => ({
    // The resource as the service sent it (the first span's batch), as Tempo returns it.
    resource: {
      attributes: Object.entries(list[0]!.resource ?? { 'service.name': service }).map(([key, value]) => ({ key, value: anyValue(value) })),
    },
    scopeSpans: [
      {
        // pkg/tempopb/trace/v1/trace.pb.go through jsonpb: bytes in base64, enums by name,
        // 64-bit numbers as strings, empty fields left out.
        spans: list.map((span) => ({
          traceId: base64(span.traceId),
          spanId: base64(span.spanId),
          ...(span.parentSpanId ? { parentSpanId: base64(span.parentSpanId) } : {}),
          name: span.name,
          kind: SPAN_KIND_NAMES[span.kind] ?? 'SPAN_KIND_UNSPECIFIED',
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
  return { status: 200, body: { trace: { resourceSpans }, metrics: {} } };
}

/** The id as written in the URL; a malformed %-escape stays as it is (and is then not hex: a 400). */
function pathSegment(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Answers the request if it is one of the Tempo query endpoints above; false otherwise. */
export function answerTempoQuery(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  spans: SpanRecord[],
  behaviour: TempoBehaviour,
): boolean {
  if (request.method !== 'GET') return false;
  const url = new URL(request.url ?? '/', 'http://receiver');
  let answer: Answer;
  if (url.pathname === '/api/search') answer = searchTraces(spans, url.searchParams, behaviour);
  else if (url.pathname.startsWith('/api/v2/traces/')) answer = traceById(spans, pathSegment(url.pathname.slice('/api/v2/traces/'.length)));
  else return false;
  const text = typeof answer.body === 'string';
  response
    .writeHead(answer.status, { 'content-type': text ? 'text/plain; charset=utf-8' : 'application/json' })
    .end(text ? answer.body : JSON.stringify(answer.body));
  return true;
}
