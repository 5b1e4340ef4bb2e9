// OTLP/HTTP protobuf, decoded into the OTLP/JSON shape (hex ids, int64 as strings), so the
// receiver that stands in for Tempo and Loki takes what the real ones take: the collector's
// otlp_http exporters send protobuf unless told otherwise.
//
// Only the messages the receiver reads are described, with the field numbers of
// opentelemetry-proto (trace/v1/trace.proto, logs/v1/logs.proto, common/v1/common.proto);
// unknown fields are skipped, as protobuf requires.

type Kind = 'string' | 'bytes' | 'varint' | 'bool' | 'fixed64' | 'fixed32' | 'double' | Message;
interface Field {
  name: string;
  kind: Kind;
  repeated?: boolean;
}
interface Message {
  [fieldNumber: number]: Field;
}

const AnyValue: Message = {};
const KeyValue: Message = { 1: { name: 'key', kind: 'string' }, 2: { name: 'value', kind: AnyValue } };
Object.assign(AnyValue, {
  1: { name: 'stringValue', kind: 'string' },
  2: { name: 'boolValue', kind: 'bool' },
  3: { name: 'intValue', kind: 'varint' },
  4: { name: 'doubleValue', kind: 'double' },
  5: { name: 'arrayValue', kind: { 1: { name: 'values', kind: AnyValue, repeated: true } } },
  6: { name: 'kvlistValue', kind: { 1: { name: 'values', kind: KeyValue, repeated: true } } },
  7: { name: 'bytesValue', kind: 'bytes' },
});
const attributes: Field = { name: 'attributes', kind: KeyValue, repeated: true };
const Resource: Message = { 1: attributes };
const Scope: Message = { 1: { name: 'name', kind: 'string' }, 2: { name: 'version', kind: 'string' }, 3: attributes };

const Span: Message = {
  1: { name: 'traceId', kind: 'bytes' },
  2: { name: 'spanId', kind: 'bytes' },
  3: { name: 'traceState', kind: 'string' },
  4: { name: 'parentSpanId', kind: 'bytes' },
  5: { name: 'name', kind: 'string' },
  6: { name: 'kind', kind: 'varint' },
  7: { name: 'startTimeUnixNano', kind: 'fixed64' },
  8: { name: 'endTimeUnixNano', kind: 'fixed64' },
  9: attributes,
  11: {
    name: 'events',
    kind: { 1: { name: 'timeUnixNano', kind: 'fixed64' }, 2: { name: 'name', kind: 'string' }, 3: attributes },
    repeated: true,
  },
  13: {
    name: 'links',
    kind: { 1: { name: 'traceId', kind: 'bytes' }, 2: { name: 'spanId', kind: 'bytes' }, 4: attributes },
    repeated: true,
  },
  15: { name: 'status', kind: { 2: { name: 'message', kind: 'string' }, 3: { name: 'code', kind: 'varint' } } },
  16: { name: 'flags', kind: 'fixed32' },
};
const TracesRequest: Message = {
  1: {
    name: 'resourceSpans',
    repeated: true,
    kind: {
      1: { name: 'resource', kind: Resource },
      2: {
        name: 'scopeSpans',
        repeated: true,
        kind: { 1: { name: 'scope', kind: Scope }, 2: { name: 'spans', kind: Span, repeated: true } },
      },
    },
  },
};

const LogRecord: Message = {
  1: { name: 'timeUnixNano', kind: 'fixed64' },
  2: { name: 'severityNumber', kind: 'varint' },
  3: { name: 'severityText', kind: 'string' },
  5: { name: 'body', kind: AnyValue },
  6: attributes,
  8: { name: 'flags', kind: 'fixed32' },
  9: { name: 'traceId', kind: 'bytes' },
  10: { name: 'spanId', kind: 'bytes' },
  11: { name: 'observedTimeUnixNano', kind: 'fixed64' },
};
const LogsRequest: Message = {
  1: {
    name: 'resourceLogs',
    repeated: true,
    kind: {
      1: { name: 'resource', kind: Resource },
      2: {
        name: 'scopeLogs',
        repeated: true,
        kind: { 1: { name: 'scope', kind: Scope }, 2: { name: 'logRecords', kind: LogRecord, repeated: true } },
      },
    },
  },
};

class Reader {
  private offset = 0;
  constructor(private readonly buffer: Buffer) {}

  get done(): boolean {
    return this.offset >= this.buffer.length;
  }

  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (this.offset >= this.buffer.length) throw new Error('protobuf: truncated varint');
      const byte = this.buffer[this.offset++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
      if (shift > 63n) throw new Error('protobuf: varint longer than 10 bytes');
    }
  }

  take(length: number): Buffer {
    if (this.offset + length > this.buffer.length) throw new Error('protobuf: field runs past the end of the message');
    const slice = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }
}

const WIRE_VARINT = 0,
  WIRE_FIXED64 = 1,
  WIRE_LENGTH = 2,
  WIRE_FIXED32 = 5;

function decode(buffer: Buffer, message: Message): Record<string, unknown> {
  const reader = new Reader(buffer);
  const out: Record<string, unknown> = {};
  while (!reader.done) {
    const tag = Number(reader.varint());
    const wire = tag & 7;
    const field = message[tag >>> 3];
    let raw: bigint | Buffer;
    if (wire === WIRE_VARINT) raw = reader.varint();
    else if (wire === WIRE_FIXED64) raw = reader.take(8);
    else if (wire === WIRE_LENGTH) raw = reader.take(Number(reader.varint()));
    else if (wire === WIRE_FIXED32) raw = reader.take(4);
    else throw new Error(`protobuf: unsupported wire type ${wire}`);
    if (!field) continue;
    const value = convert(raw, field.kind);
    if (field.repeated) ((out[field.name] ??= []) as unknown[]).push(value);
    else out[field.name] = value;
  }
  return out;
}

function convert(raw: bigint | Buffer, kind: Kind): unknown {
  if (typeof raw === 'bigint') {
    // int64 travels as a decimal string in OTLP/JSON; booleans and enums as numbers.
    if (kind === 'bool') return raw !== 0n;
    if (kind === 'varint') return raw > 0xffffffffn ? BigInt.asIntN(64, raw).toString() : Number(raw);
    throw new Error('protobuf: a varint where a length-delimited field was expected');
  }
  switch (kind) {
    case 'string':
      return raw.toString('utf8');
    case 'bytes':
      return raw.toString('hex');
    case 'fixed64':
      return raw.readBigUInt64LE().toString();
    case 'fixed32':
      return raw.readUInt32LE();
    case 'double':
      return raw.readDoubleLE();
    case 'varint':
    case 'bool':
      throw new Error('protobuf: a length-delimited field where a varint was expected');
    default:
      return decode(raw, kind);
  }
}

/** ExportTraceServiceRequest as OTLP/JSON: { resourceSpans: [...] }. */
export const decodeTracesRequest = (body: Buffer) => decode(body, TracesRequest);
/** ExportLogsServiceRequest as OTLP/JSON: { resourceLogs: [...] }. */
export const decodeLogsRequest = (body: Buffer) => decode(body, LogsRequest);
