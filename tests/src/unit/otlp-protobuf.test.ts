import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, SeverityNumber, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { JsonLogsSerializer, JsonTraceSerializer, ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { OtlpSink } from '@demo/tools';

// The OTLP receiver that stands in for Tempo and Loki must read protobuf, what the collector
// sends them. The SDK's own serializers encode the same spans and log records both ways; the
// receiver (protobufjs with the message definitions of otlp-protobuf.ts) must make the same
// records of either, so a wrong field number there fails here.

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const tracer = provider.getTracer('otlp-protobuf-test');
const sinks: OtlpSink[] = [];
after(() => Promise.all(sinks.map((sink) => sink.close())));

// One attribute of each type OTLP carries: string, int, double, bool, array, a large int, a negative one.
const INSERT_ATTRIBUTES = {
  'db.system.name': 'sqlite',
  'db.query.text': 'INSERT INTO orders (user_id) VALUES (?)',
  rows: 1,
  ratio: 0.25,
  cached: false,
  tags: ['a', 'b'],
  big: 2 ** 40,
  negative: -3,
};

function makeSpans() {
  exporter.reset();
  const parent = tracer.startSpan('POST /orders', {
    kind: SpanKind.SERVER,
    attributes: { 'http.request.method': 'POST', 'http.response.status_code': 201 },
  });
  const child = tracer.startSpan(
    'INSERT orders',
    {
      kind: SpanKind.CLIENT,
      attributes: INSERT_ATTRIBUTES,
    },
    trace.setSpan(ROOT_CONTEXT, parent),
  );
  child.addEvent('exception', { 'exception.message': 'boom: ü' });
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'database is locked' });
  child.end();
  parent.end();
  return exporter.getFinishedSpans();
}

async function receive(body: Uint8Array, contentType: string, path = '/v1/traces') {
  const sink = await OtlpSink.start();
  sinks.push(sink);
  const response = await fetch(`${sink.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: Buffer.from(body),
  });
  assert.equal(response.status, 200, await response.text());
  return sink;
}

test('protobuf and JSON of the same spans give the same records', async () => {
  const spans = makeSpans();
  const fromProtobuf = (await receive(ProtobufTraceSerializer.serializeRequest(spans)!, 'application/x-protobuf')).spans;
  const fromJson = (await receive(JsonTraceSerializer.serializeRequest(spans)!, 'application/json')).spans;
  assert.equal(fromProtobuf.length, 2);
  // Everything but when each arrived.
  const content = ({ receivedMs, ...record }: (typeof fromJson)[number]) => (assert.equal(typeof receivedMs, 'number'), record);
  assert.deepEqual(fromProtobuf.map(content), fromJson.map(content));

  const [insert, server] = [fromProtobuf.find((s) => s.name === 'INSERT orders')!, fromProtobuf.find((s) => s.name === 'POST /orders')!];
  assert.match(insert.traceId, /^[0-9a-f]{32}$/);
  assert.equal(insert.parentSpanId, server.spanId);
  assert.equal(insert.kind, 3);
  assert.equal(insert.statusCode, 2);
  assert.equal(insert.statusMessage, 'database is locked');
  assert.deepEqual(insert.attributes, INSERT_ATTRIBUTES, 'every attribute type comes back as it was set');
  assert.deepEqual(insert.events, [{ name: 'exception', attributes: { 'exception.message': 'boom: ü' } }]);
  assert.ok(insert.endNs >= insert.startNs && insert.startNs > 0n);
});

test('protobuf and JSON of the same log records give the same records, trace context and body included', async () => {
  const exporter = new InMemoryLogRecordExporter();
  const loggers = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  const span = tracer.startSpan('POST /orders');
  loggers.getLogger('@opentelemetry/instrumentation-pino', '0.70.0').emit({
    severityNumber: SeverityNumber.WARN,
    severityText: 'warn',
    body: 'order 7: notification skipped',
    attributes: { order_id: 7, 'demo.fault': 'notifications:error', retried: true },
    context: trace.setSpan(ROOT_CONTEXT, span),
  });
  span.end();
  const records = exporter.getFinishedLogRecords();
  const fromProtobuf = (await receive(ProtobufLogsSerializer.serializeRequest(records)!, 'application/x-protobuf', '/loki/v1/logs')).logs;
  const fromJson = (await receive(JsonLogsSerializer.serializeRequest(records)!, 'application/json', '/loki/v1/logs')).logs;
  assert.equal(fromProtobuf.length, 1);
  assert.deepEqual(fromProtobuf, fromJson);
  const [record] = fromProtobuf;
  assert.deepEqual(
    [record!.traceId, record!.spanId, record!.severity, record!.severityNumber, record!.body, record!.scope],
    [
      span.spanContext().traceId,
      span.spanContext().spanId,
      'warn',
      SeverityNumber.WARN,
      'order 7: notification skipped',
      '@opentelemetry/instrumentation-pino',
    ],
  );
  assert.deepEqual(record!.attributes, { order_id: 7, 'demo.fault': 'notifications:error', retried: true });
  assert.match(record!.timeUnixNano, /^\d{19}$/);
});

test('a truncated protobuf body is refused with 400, not stored', async () => {
  const body = ProtobufTraceSerializer.serializeRequest(makeSpans())!;
  const sink = await OtlpSink.start();
  sinks.push(sink);
  const response = await fetch(`${sink.url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf' },
    body: Buffer.from(body.subarray(0, body.length - 7)),
  });
  assert.equal(response.status, 400);
  assert.match(((await response.json()) as { error: string }).error, /protobuf/);
  assert.equal(sink.spans.length, 0);
});
