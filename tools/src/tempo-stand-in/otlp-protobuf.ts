import protobuf from 'protobufjs';

// OTLP/HTTP protobuf, decoded by protobufjs into the OTLP/JSON shape (hex ids, int64 as
// decimal strings, enums as numbers), so the receiver that stands in for Tempo and Loki takes
// what the real ones take: the collector's otlp_http exporters send protobuf unless told
// otherwise. The messages below are the ones the receiver reads, with the field numbers of
// opentelemetry-proto v1 (collector/trace/v1/trace_service.proto, trace/v1/trace.proto,
// collector/logs/v1/logs_service.proto, logs/v1/logs.proto, common/v1/common.proto,
// resource/v1/resource.proto, each number read at the repository's v1.11.0 and later, where
// none of them has moved); fields left out are skipped, as protobuf requires. A unit test
// decodes what the SDK's own serializers encode, field by field.
const OTLP = `
syntax = "proto3";
package otlp;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message Resource { repeated KeyValue attributes = 1; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; }

message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  fixed32 flags = 16;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; }
  repeated Event events = 11;
  message Link { bytes trace_id = 1; bytes span_id = 2; repeated KeyValue attributes = 4; }
  repeated Link links = 13;
  Status status = 15;
}
message Status { string message = 2; int32 code = 3; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }

message LogRecord {
  fixed64 time_unix_nano = 1;
  fixed64 observed_time_unix_nano = 11;
  int32 severity_number = 2;
  string severity_text = 3;
  AnyValue body = 5;
  repeated KeyValue attributes = 6;
  fixed32 flags = 8;
  bytes trace_id = 9;
  bytes span_id = 10;
}
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; }
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
`;

const root = protobuf.parse(OTLP).root;
const TracesRequest = root.lookupType('otlp.ExportTraceServiceRequest');
const LogsRequest = root.lookupType('otlp.ExportLogsServiceRequest');
// OTLP/JSON writes span and trace ids in hex, and every other bytes field in base64.
const ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);

function decode(type: protobuf.Type, body: Buffer): Record<string, unknown> {
  let message: protobuf.Message;
  try {
    message = type.decode(body);
  } catch (error) {
    throw new Error(`protobuf: ${type.name} does not decode: ${(error as Error).message}`, { cause: error });
  }
  const object = type.toObject(message, { longs: String, enums: Number, bytes: String });
  return hexIds(object) as Record<string, unknown>;
}

/** base64 ids (protobufjs's bytes as String) to hex, wherever they are in the request. */
function hexIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hexIds);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => [
      key,
      ID_FIELDS.has(key) && typeof field === 'string' ? Buffer.from(field, 'base64').toString('hex') : hexIds(field),
    ]),
  );
}

/** ExportTraceServiceRequest as OTLP/JSON: { resourceSpans: [...] }. */
export const decodeTracesRequest = (body: Buffer) => decode(TracesRequest, body);
/** ExportLogsServiceRequest as OTLP/JSON: { resourceLogs: [...] }. */
export const decodeLogsRequest = (body: Buffer) => decode(LogsRequest, body);
