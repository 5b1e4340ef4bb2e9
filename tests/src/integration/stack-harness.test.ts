import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../harness/harness';
import * as stack from '../harness/stack';

// tests/src/harness/stack.ts is what the compose and Kubernetes stack tests call "the traces
// of one order". Here it runs against the native chain, the real collector and the OTLP
// receiver (which answers the Tempo stand-in's /stand-in/spans), so the definition itself is
// checked in the native suite, without Docker: the same trace shapes the stack tests expect.

const EXPECTED = {
  sdk: [['orders', 'inventory', 'pricing', 'notifications']],
  envoy: [
    ['orders', 'inventory', 'pricing-envoy'],
    ['pricing-envoy', 'notifications'],
  ],
} as const;

for (const mode of ['sdk', 'envoy'] as const) {
  test(`stack.tracesOfOneOrder, ${mode} mode: the order's own trace first, then the shape of the mode`, async () => {
    const h = await startHarness({ mode, withCollector: true });
    try {
      const before = (await stack.storedSpans(h.sink!.url)).length;
      const { traceId, traces, byTrace } = await stack.tracesOfOneOrder(`${h.chain.ordersUrl}/orders`, h.sink!.url);
      assert.equal(traces[0]!.traceId, traceId);
      assert.deepEqual(
        traces.map((trace) => trace.services),
        EXPECTED[mode],
      );
      // Spans come back with bigint times, as the summaries compare them.
      const spans = byTrace.get(traceId)!;
      assert.equal(typeof spans[0]!.startNs, 'bigint');
      assert.ok(spans.every((span) => span.endNs >= span.startNs));
      assert.equal(
        (await stack.storedSpans(h.sink!.url)).length - before,
        [...byTrace.values()].flat().length,
        "only the order's spans are new",
      );
    } finally {
      await h.stop();
    }
  });
}

test('stack.postOrder: a refused connection is an answer with status 0 naming the URL, not an exception', async () => {
  const answer = await stack.postOrder('http://127.0.0.1:9/orders');
  assert.equal(answer.status, 0);
  assert.match(String(answer.body.error), /^POST http:\/\/127\.0\.0\.1:9\/orders: /);
});

test('stack.timed: records the seconds a step took under its name', () => {
  const timings: Record<string, string> = {};
  assert.equal(
    stack.timed(timings, 'step', () => 42),
    42,
  );
  assert.match(timings.step!, /^\d+\.\d s$/);
});
