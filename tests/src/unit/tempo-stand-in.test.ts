import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { parse as parseYaml } from 'yaml';
import {
  CUT_CHECK_MS,
  freePorts,
  fromRoot,
  OtlpSink,
  tempoLeftPadsTraceIds,
  parseTraceQl,
  QUERY_END_CUTOFF_MS,
  searchTraces,
  tempoBehaviour,
  traceById,
  type SpanRecord,
} from '@demo/tools';
import { spansFromTempoTrace } from '@demo/trace-verdict';
import { spanRecord } from '../harness/span-records';

// The Tempo stand-in (tools/src/tempo-stand-in/tempo-api.ts) against the pinned Tempo's contract, one test
// per row of docs/testing.md's table "The Tempo stand-in against Tempo 3.0.3": what the page
// and the terminal depend on, read from grafana/tempo's source at v3.0.3.

const PAGE_QUERY = '{ span.app.order.id = 3 }';
/** When the stand-in's live store started; every clock below counts from here. */
const T0 = 1_767_000_000_000;
const ns = (ms: number) => BigInt(ms) * 1_000_000n;

/** A span of trace/span/parent ids ("" for a root), received 1.2 s after it started (the SDK's 1 s batch, the collector's 0.2 s). */
function span(ids: [string, string, string], service: string, name: string, atMs: number, orderId?: number): SpanRecord {
  const [traceId, spanId, parentSpanId] = ids;
  return spanRecord({
    ...{ traceId, spanId, parentSpanId, service, name },
    kind: parentSpanId ? 3 : 2,
    startNs: ns(atMs),
    attributes: orderId === undefined ? {} : { 'app.order.id': orderId },
    receivedMs: atMs + 1_200,
  });
}

// An order whose trace id begins with 0, as one in sixteen do, and a second trace of it.
const ZERO = '0af7651916cd43dd8448eb211c80319c';
const OTHER = 'b7ad6b7169203331b7ad6b7169203331';
const order = [
  span([ZERO, '00f067aa0ba902b7', ''], 'orders', 'POST /orders', T0 + 100, 3),
  span([ZERO, '10f067aa0ba902b7', '00f067aa0ba902b7'], 'inventory', 'POST', T0 + 110),
  span([OTHER, '20f067aa0ba902b7', ''], 'notifications', 'POST /notifications', T0 + 130, 3),
];
const faithful = tempoBehaviour({ startedMs: T0 });
const instant = tempoBehaviour({ startedMs: T0, instantSearch: true });

type SearchBody = { traces: { traceID: string; startTimeUnixNano: unknown; spanSet: unknown; spanSets: { matched: number }[] }[] };
const search = (spans: SpanRecord[], params: Record<string, string>, behaviour = instant, nowMs = T0 + 60_000) =>
  searchTraces(spans, new URLSearchParams(params), behaviour, nowMs);
const foundIds = (spans: SpanRecord[], params: Record<string, string>, behaviour = instant, nowMs = T0 + 60_000) =>
  (search(spans, params, behaviour, nowMs).body as SearchBody).traces.map((trace) => trace.traceID);

test('search: trace ids without their leading zeros (TraceIDToHexString), unless left_pad_trace_ids', () => {
  assert.deepEqual(foundIds(order, { q: PAGE_QUERY }).sort(), [ZERO.slice(1), OTHER].sort());
  const padded = tempoBehaviour({ startedMs: T0, instantSearch: true, leftPadTraceIds: true });
  assert.deepEqual(foundIds(order, { q: PAGE_QUERY }, padded).sort(), [ZERO, OTHER].sort());
});

test("search: Tempo's lag, the live store's cut (5 s idle, checked every 5 s) and the 30 s end cutoff; trace-by-id at once", () => {
  const received = T0 + 1_330; // the last span's arrival
  // The cut: the first tick of the 5 s loop at least 5 s after the last span.
  const cutAt = T0 + Math.ceil((received + 5_000 - T0) / CUT_CHECK_MS) * CUT_CHECK_MS;
  // The cutoff: a search ends at now - 30 s, so a trace that started at T0 needs now >= T0 + 30 s (whole seconds).
  const visibleAt = Math.max(cutAt, T0 + 1_000 + QUERY_END_CUTOFF_MS);
  assert.deepEqual(foundIds(order, { q: PAGE_QUERY }, faithful, T0 + 2_000), [], 'nothing at once');
  assert.deepEqual(foundIds(order, { q: PAGE_QUERY }, faithful, T0 + 20_000), [], 'cut, but inside the 30 s cutoff');
  assert.equal(foundIds(order, { q: PAGE_QUERY }, faithful, visibleAt + 1_000).length, 2, 'found once both have passed');
  assert.equal(foundIds(order, { q: PAGE_QUERY }, instant, T0 + 2_000).length, 2, '--instant-search: found at once');
  // trace-by-id has no lag (the live store answers it from traces not yet cut).
  assert.equal(spansFromTempoTrace(traceById(order, ZERO).body, 0n).length, 2);
});

test('search: a span arriving before the cut keeps its trace live; the trace is found once it has been idle for 5 s', () => {
  // Spans that started a minute ago, so the 30 s cutoff is not what holds them back here.
  const old = order.map((s) => ({ ...s, startNs: s.startNs - ns(60_000), endNs: s.endNs - ns(60_000) }));
  // Envoy's span of the first trace arrives 4.8 s after the others (its flush interval).
  const late = { ...old[1]!, spanId: '30f067aa0ba902b7', service: 'pricing-envoy', receivedMs: T0 + 6_100 };
  const spans = [...old, late];
  const at = (nowMs: number) => foundIds(spans, { q: '{}' }, faithful, nowMs).sort();
  assert.deepEqual(at(T0 + 9_900), [], 'no tick yet');
  // At the tick of T0 + 10 s the second trace has been idle for 5 s; the first has not (the late span).
  assert.deepEqual(at(T0 + 10_500), [OTHER]);
  assert.deepEqual(at(T0 + 15_000), [ZERO.slice(1), OTHER].sort(), 'the next tick cuts the first trace, the late span with it');
  const [first] = (search(spans, { q: '{ resource.service.name = "pricing-envoy" }' }, faithful, T0 + 15_000).body as SearchBody).traces;
  assert.equal(first?.spanSets[0]!.matched, 1);
});

test('search: default limit 20, a range over 168 h is 400, end before start is 400, junk TraceQL is 400 with a message', () => {
  const many = Array.from({ length: 25 }, (_, i) =>
    span([(i + 1).toString(16).padStart(32, 'a'), (i + 1).toString(16).padStart(16, 'c'), ''], 'orders', 'POST /orders', T0 + i, 3),
  );
  assert.equal(foundIds(many, { q: PAGE_QUERY }).length, 20, 'default_result_limit 20');
  assert.equal(foundIds(many, { q: PAGE_QUERY, limit: '25' }).length, 25);
  const seconds = Math.floor(T0 / 1000);
  for (const [params, status, message] of [
    [{ q: PAGE_QUERY, start: String(seconds - 169 * 3600), end: String(seconds) }, 400, /exceeds 168h0m0s/],
    [{ q: PAGE_QUERY, start: String(seconds), end: String(seconds - 60) }, 400, /start must be before end/],
    [{ q: '{ span.app.order.id > 3 }' }, 400, /^invalid TraceQL query: cannot read the condition "span.app.order.id > 3"/],
    [{ q: 'junk' }, 400, /^invalid TraceQL query: a spanset filter starts with \{/],
    [
      { q: PAGE_QUERY, start: 'yesterday', end: String(seconds) },
      400,
      /^invalid start: strconv.ParseUint: parsing "yesterday": invalid syntax$/,
    ],
    [{ q: PAGE_QUERY, start: String(seconds) }, 400, /^http parameter start must be before end\. received start=\d+ end=0$/],
    [{ q: PAGE_QUERY, start: '1', end: '4294967296' }, 400, /^invalid end: strconv.ParseUint: parsing "4294967296": value out of range$/],
    [{ q: PAGE_QUERY, limit: '0' }, 400, /^invalid limit: must be a positive number$/],
    [{ q: PAGE_QUERY, spss: '101' }, 400, /^spans per span set exceeds 100\. received 101$/],
  ] as const) {
    const answer = search(order, params);
    assert.equal(answer.status, status, JSON.stringify(params));
    assert.match(String(answer.body), message);
  }
  assert.equal(search(order, { q: PAGE_QUERY, start: String(seconds - 167 * 3600), end: String(seconds) }).status, 200, '167 h is fine');
  assert.ok(parseTraceQl('{}').ok, 'the empty filter matches everything, as in Tempo');
});

test('search: the fields of a result (startTimeUnixNano as a string, spanSet and spanSets), int literals match ints only', () => {
  const [first] = (search(order, { q: PAGE_QUERY, spss: '1' }).body as SearchBody).traces;
  assert.equal(typeof first!.startTimeUnixNano, 'string');
  assert.deepEqual(first!.spanSet, first!.spanSets[0]);
  assert.equal(foundIds(order, { q: '{ span.app.order.id = "3" }' }).length, 0, 'the string "3" is not the integer 3');
  assert.deepEqual(foundIds(order, { q: '{ resource.service.name = "notifications" && span.app.order.id = 3 }' }), [OTHER]);
});

test("trace-by-id: Tempo's protobuf JSON (base64 ids, kind names, 64-bit numbers as strings)", () => {
  const body = traceById(order, ZERO).body as { trace: { resourceSpans: any[] } };
  const inventory = body.trace.resourceSpans.find((batch) => batch.resource.attributes[0].value.stringValue === 'inventory');
  const client = inventory.scopeSpans[0].spans[0];
  assert.equal(client.spanId, Buffer.from('10f067aa0ba902b7', 'hex').toString('base64'));
  assert.equal(client.traceId, Buffer.from(ZERO, 'hex').toString('base64'));
  assert.equal(client.kind, 'SPAN_KIND_CLIENT');
  assert.equal(typeof client.startTimeUnixNano, 'string');
  const root = body.trace.resourceSpans.find((batch) => batch.resource.attributes[0].value.stringValue === 'orders').scopeSpans[0].spans[0];
  assert.ok(!('parentSpanId' in root), 'empty fields are left out');
});

test('trace-by-id: an unknown id is 200 with an empty trace, a short or uppercase id is padded and found, junk is 400', () => {
  assert.deepEqual(traceById(order, 'f'.repeat(32)), { status: 200, body: { trace: {}, metrics: {} } });
  for (const id of [ZERO.slice(1), ZERO.toUpperCase(), ZERO]) {
    const answer = traceById(order, id);
    assert.equal(answer.status, 200, id);
    assert.equal(spansFromTempoTrace(answer.body, 0n).length, 2, id);
  }
  assert.deepEqual(traceById(order, 'zz'), {
    status: 400,
    body: "trace IDs can only contain hex characters: invalid character 'z' at position 1",
  });
  assert.deepEqual(traceById(order, 'a'.repeat(33)), { status: 400, body: "trace IDs can't be larger than 128 bits" });
});

test('the stand-in pads search ids exactly where tempo/tempo.yaml makes Tempo pad them: natively, under compose, on the cluster', () => {
  const padded = tempoLeftPadsTraceIds();
  assert.equal(padded, true, 'tempo.yaml sets overrides.defaults.read.left_pad_trace_ids');
  const compose = parseYaml(fs.readFileSync(fromRoot('tests', 'compose-stack', 'stand-ins.compose.yml'), 'utf8')) as {
    services: { tempo: { command: string[] } };
  };
  const chart = parseYaml(fs.readFileSync(fromRoot('charts', 'otel-demo', 'ci', 'stand-ins-values.yaml'), 'utf8')) as {
    tempo: { args: string[] };
  };
  assert.equal(compose.services.tempo.command.includes('--left-pad-trace-ids'), padded);
  assert.equal(chart.tempo.args.includes('--left-pad-trace-ids'), padded);
  assert.equal(tempoBehaviour().leftPadTraceIds, false, "without the flag, Tempo's own default");
  assert.equal(tempoBehaviour().instantSearch, false, "without --instant-search, Tempo's lag");
});

test("the stand-in's own switch, not Tempo's API: POST /stand-in/instant-search turns the search lag off and on", async () => {
  const sink = await OtlpSink.start(0, '127.0.0.1');
  try {
    const post = (query: string) => fetch(`${sink.url}/stand-in/instant-search?${query}`, { method: 'POST' });
    assert.equal(sink.tempo.instantSearch, false, "Tempo's lag by default");
    assert.equal((await post('on=true')).status, 204);
    assert.equal(sink.tempo.instantSearch, true);
    assert.equal((await post('on=false')).status, 204);
    assert.equal(sink.tempo.instantSearch, false);
    const refused = await post('on=yes');
    assert.deepEqual([refused.status, await refused.text()], [400, 'on must be true or false']);
  } finally {
    await sink.close();
  }
});

test("the stand-in's image runs the receiver as build-stand-ins.sh bundles it, alone in a folder", async () => {
  // The image holds that one file and a Node: a module left out of the bundle would stop the
  // receiver at once under compose and on the cluster.
  const script = fs.readFileSync(fromRoot('tests', 'compose-stack', 'build-stand-ins.sh'), 'utf8');
  const command = /^node_modules\/\.bin\/esbuild .*otlp-receiver\.ts.*$/m.exec(script)?.[0];
  assert.ok(command, 'build-stand-ins.sh bundles the receiver with esbuild');
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'receiver-'));
  try {
    execFileSync('bash', ['-c', command], { cwd: fromRoot(), env: { ...process.env, receiver_bundle: folder } });
    assert.deepEqual(fs.readdirSync(folder), ['otlp-receiver.js']);
    const [port] = Object.values(await freePorts(['tempo']));
    const receiver = spawn(process.execPath, ['otlp-receiver.js', String(port)], { cwd: folder, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const output = await new Promise<string>((resolve, reject) => {
        let text = '';
        receiver.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes('listening')) resolve(text);
        });
        receiver.stderr.on('data', (chunk: Buffer) => reject(new Error(String(chunk))));
        receiver.once('exit', (code) => reject(new Error(`the receiver exited with ${code}`)));
      });
      assert.match(output, new RegExp(`OTLP receiver listening on ${port}`));
      // Tempo's answer for an id it does not hold: the Tempo API module is in the bundle.
      const answer = await fetch(`http://127.0.0.1:${port}/api/v2/traces/${'ab'.repeat(16)}`);
      assert.deepEqual([answer.status, await answer.json()], [200, { trace: {}, metrics: {} }]);
    } finally {
      receiver.kill();
    }
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
});
