import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { OtlpSink } from '@demo/tools';

// The OTLP receiver that stands in for Tempo must read protobuf, what the collector sends
// Tempo and Loki. The SDK's own serializers encode the same spans both ways; the receiver
// must make the same records of either.

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

async function receive(body: Uint8Array, contentType: string) {
  const sink = await OtlpSink.start();
  sinks.push(sink);
  const response = await fetch(`${sink.url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: Buffer.from(body),
  });
  assert.equal(response.status, 200, await response.text());
  return sink.spans;
}

test('protobuf and JSON of the same spans give the same records', async () => {
  const spans = makeSpans();
  const fromProtobuf = await receive(ProtobufTraceSerializer.serializeRequest(spans)!, 'application/x-protobuf');
  const fromJson = await receive(JsonTraceSerializer.serializeRequest(spans)!, 'application/json');
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
