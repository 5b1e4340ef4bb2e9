// Tempo's trace-by-id answer, read into the verdict's spans. The page reads it through nginx's
// /tempo/; the Tempo stand-in (tools/src/tempo-stand-in/tempo-api.ts) writes it, with the same
// span-kind names.
import { normalizeTraceId, type VerdictSpan } from './verdict';

// Browsers and Node both have it; the package is type-checked with neither's library.
declare function atob(data: string): string;

type OtlpAnyValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
type OtlpJsonSpan = {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  kind?: number | string;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: { key: string; value?: OtlpAnyValue }[];
  status?: { code?: number | string };
};
type OtlpBatch = { resource?: { attributes?: { key: string; value?: OtlpAnyValue }[] }; scopeSpans?: { spans?: OtlpJsonSpan[] }[] };

/** OTLP's span kinds by number, as protobuf JSON names them (Tempo's trace-by-id answer). */
export const SPAN_KIND_NAMES = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
] as const;

/** Tempo writes ids in base64 (protobuf JSON); OTLP/JSON and this project's receiver in hex. Both become hex. */
export function hexId(id: string | undefined): string {
  if (!id) return '';
  if (/^[0-9a-f]+$/i.test(id) && (id.length === 16 || id.length === 32)) return id.toLowerCase();
  const bytes = atob(id);
  let hex = '';
  for (let i = 0; i < bytes.length; i++) hex += bytes.charCodeAt(i).toString(16).padStart(2, '0');
  return hex;
}

function plainValue(value: OtlpAnyValue | undefined): unknown {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  return value.boolValue;
}

/**
 * The spans of Tempo's GET /api/v2/traces/<id> answer ({"trace": {"resourceSpans": …}}, or
 * the older top-level resourceSpans/batches), with times in ms since `originNs` (a BigInt
 * of nanoseconds: epoch nanoseconds do not fit a double exactly).
 */
export function spansFromTempoTrace(answer: unknown, originNs: bigint): VerdictSpan[] {
  const body = answer as { trace?: { resourceSpans?: OtlpBatch[] }; resourceSpans?: OtlpBatch[]; batches?: OtlpBatch[] };
  const batches = body?.trace?.resourceSpans ?? body?.resourceSpans ?? body?.batches ?? [];
  const spans: VerdictSpan[] = [];
  for (const batch of batches) {
    const serviceName = plainValue(batch.resource?.attributes?.find((a) => a.key === 'service.name')?.value);
    const service = typeof serviceName === 'string' ? serviceName : '?';
    for (const scope of batch.scopeSpans ?? []) {
      for (const span of scope.spans ?? []) {
        const ms = (ns: string | number | undefined) => Number(BigInt(ns ?? 0) - originNs) / 1e6;
        spans.push({
          traceId: normalizeTraceId(hexId(span.traceId)),
          spanId: hexId(span.spanId),
          parentSpanId: hexId(span.parentSpanId),
          service,
          name: span.name ?? '',
          kind:
            typeof span.kind === 'string'
              ? Math.max(0, SPAN_KIND_NAMES.indexOf(span.kind as (typeof SPAN_KIND_NAMES)[number]))
              : Number(span.kind ?? 0),
          start: ms(span.startTimeUnixNano),
          end: ms(span.endTimeUnixNano),
          error: span.status?.code === 2 || span.status?.code === 'STATUS_CODE_ERROR',
          attributes: Object.fromEntries((span.attributes ?? []).map((a) => [a.key, plainValue(a.value)])),
        });
      }
    }
  }
  return spans;
}

/** The earliest start in a trace-by-id answer, as the common origin for several traces. */
export function earliestStartNs(answer: unknown): bigint | undefined {
  let earliest: bigint | undefined;
  const body = answer as { trace?: { resourceSpans?: OtlpBatch[] }; resourceSpans?: OtlpBatch[]; batches?: OtlpBatch[] };
  for (const batch of body?.trace?.resourceSpans ?? body?.resourceSpans ?? body?.batches ?? []) {
    for (const scope of batch.scopeSpans ?? []) {
      for (const span of scope.spans ?? []) {
        const start = BigInt(span.startTimeUnixNano ?? 0);
        if (earliest === undefined || start < earliest) earliest = start;
      }
    }
  }
  return earliest;
}
