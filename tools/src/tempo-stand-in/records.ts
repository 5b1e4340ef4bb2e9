// What the receiver keeps of each span and log record, and OTLP's attribute values made plain.

export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** 1 internal, 2 server, 3 client, 4 producer, 5 consumer */
  kind: number;
  service: string;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown> }[];
  /** 0 unset, 1 ok, 2 error */
  statusCode: number;
  statusMessage: string;
  /** The resource the span came with (service.name, service.instance.id, process.*, host.*): one object per batch. */
  resource?: Record<string, unknown>;
  /** When the receiver got it (Date.now()): Tempo's search sees a span only some time after that. */
  receivedMs?: number;
  /** The instrumentation scope that made it, e.g. @opentelemetry/instrumentation-http ('' if none was sent). */
  scope?: string;
}

export interface LogRecord {
  traceId: string;
  spanId: string;
  service: string;
  severity: string;
  body: unknown;
  attributes: Record<string, unknown>;
  /** The resource the record came with (service.name, service.instance.id, process.*, host.*). */
  resource: Record<string, unknown>;
  /** The instrumentation scope that emitted it, e.g. @opentelemetry/instrumentation-pino. */
  scope: string;
  severityNumber: number;
  timeUnixNano: string;
}

type OtlpValue = {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
};
export type OtlpKeyValue = { key: string; value?: OtlpValue };

export function fromValue(value: OtlpValue | undefined): unknown {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(fromValue);
  if (value.kvlistValue) return fromAttributes(value.kvlistValue.values);
  return undefined;
}

/** OTLP key-value attributes as a plain object (arrays and maps included). */
export function fromAttributes(list: OtlpKeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((entry) => [entry.key, fromValue(entry.value)]));
}
