import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { groupByTrace } from '@demo/trace-verdict';
import { sleep, waitFor, type Mode } from '@demo/tools';
import { startHarness, postJson, LAPTOP_ORDER, type Harness } from '../harness/harness';

// What sampling keeps, with the real services, the real collector and the real Envoy:
// tail sampling in the collector (collector/tail-sampling.yaml) and head sampling in the SDKs
// (OTEL_TRACES_SAMPLER). Counts, not shapes: sampling is about which traces survive.

const running: Harness[] = [];
after(async () => {
  for (const h of running) await h.stop();
});

async function fresh(options: Parameters<typeof startHarness>[0]): Promise<Harness> {
  while (running.length) await running.pop()!.stop();
  const h = await startHarness(options);
  running.push(h);
  // Hundreds of Laptop orders must all be confirmed, so that every trace has the same shape.
  const restocked = await postJson(`${h.chain.url('inventory')}/inventory/restock`, { product_name: 'Laptop', quantity: 100_000 });
  assert.equal(restocked.status, 200);
  return h;
}

/** Sends `count` orders, eight at a time, and returns each answer's status and trace id. */
async function sendOrders(h: Harness, count: number, baggage?: string): Promise<{ status: number; traceId: string }[]> {
  const answers: { status: number; traceId: string }[] = [];
  for (let sent = 0; sent < count; sent += 8) {
    const batch = Array.from({ length: Math.min(8, count - sent) }, () =>
      postJson(`${h.chain.ordersUrl}/orders`, { ...LAPTOP_ORDER, quantity: 1 }, baggage ? { baggage: `demo.fault=${baggage}` } : {}),
    );
    for (const answer of await Promise.all(batch)) answers.push({ status: answer.status, traceId: answer.body.trace_id });
  }
  return answers;
}

/** The sum of a counter on the collector's Prometheus endpoint, over the series matching every label given. */
async function collectorCounter(h: Harness, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${h.collectorPorts!.prometheus}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (!Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) continue;
    sum += Number(
      line
        .slice(line.lastIndexOf('}') + 1)
        .trim()
        .split(' ')[0],
    );
  }
  return sum;
}

test('tail sampling keeps every failed and every slow trace and about 10 % of the rest; span metrics count every order', async () => {
  const h = await fresh({ mode: 'sdk', withCollector: true, tailSampling: true });
  const failed = [...(await sendOrders(h, 6, 'inventory:error')), ...(await sendOrders(h, 6, 'notifications:error'))];
  const slow = await sendOrders(h, 4, 'pricing:slow');
  const normal = await sendOrders(h, 200);
  assert.deepEqual(new Set(failed.map((answer) => answer.status)), new Set([502, 201]));
  assert.ok([...slow, ...normal].every((answer) => answer.status === 201));

  // decision_wait is 5 s: every trace is decided about that long after its last span.
  await sleep(6000);
  await h.sink!.waitForQuiet(2000, 20_000);
  const kept = new Set(groupByTrace(h.sink!.spans).keys());
  for (const { traceId } of failed) assert.ok(kept.has(traceId), `failed trace ${traceId} was dropped`);
  for (const { traceId } of slow) assert.ok(kept.has(traceId), `slow trace ${traceId} was dropped`);
  const normalKept = normal.filter(({ traceId }) => kept.has(traceId)).length;
  // 10 % of 200 is 20; the binomial spread makes 5..40 a miss of less than one in a million.
  assert.ok(normalKept >= 5 && normalKept <= 40, `${normalKept} of 200 normal traces kept`);
  const keptTraces = groupByTrace(h.sink!.spans);
  for (const { traceId } of slow) {
    const services = new Set(keptTraces.get(traceId)!.map((span) => span.service));
    assert.deepEqual([...services].sort(), ['inventory', 'notifications', 'orders', 'pricing'], 'a kept trace is kept whole');
  }

  const total = failed.length + slow.length + normal.length;
  await waitFor(
    async () =>
      (await collectorCounter(h, 'traces_span_metrics_calls_total', { service_name: 'orders', span_kind: 'SPAN_KIND_SERVER' })) === total,
    20_000,
    `span metrics to count all ${total} orders`,
  );
  console.log(
    `tail sampling: ${failed.length} failed and ${slow.length} slow traces all kept, ${normalKept}/200 normal kept; span metrics counted ${total}/${total} orders`,
  );
});

const tenPercent = { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' };
const everyService = (env: Record<string, string>) => ({ orders: env, inventory: env, pricing: env, notifications: env });

async function headSampled(mode: Mode, orders: number) {
  const h = await fresh({ mode, withCollector: true, serviceEnv: everyService(tenPercent) });
  const answers = await sendOrders(h, orders);
  assert.ok(
    answers.every((answer) => answer.status === 201 && /^[0-9a-f]{32}$/.test(answer.traceId)),
    'every order still answers with a trace id',
  );
  await sleep(2500);
  await h.sink!.waitForQuiet(2000, 20_000);
  return { h, answers, traces: groupByTrace(h.sink!.spans) };
}

test('head sampling at 10 % (sdk): about one order in ten is traced, always whole, and the others answer with a trace id Tempo will never have', async () => {
  const { answers, traces } = await headSampled('sdk', 150);
  const kept = answers.filter(({ traceId }) => traces.has(traceId));
  assert.ok(kept.length >= 3 && kept.length <= 35, `${kept.length} of 150 traced`);
  // The set-up's restock call is a trace of inventory's own (sampled one time in ten): not counted.
  const orderTraces = [...traces.values()].filter((spans) => spans.some((span) => span.service === 'orders'));
  assert.equal(orderTraces.length, kept.length, "every traced order is one of the answers' trace ids");
  for (const { traceId } of kept) {
    const services = new Set(traces.get(traceId)!.map((span) => span.service));
    assert.equal(services.size, 4, 'parent-based: every service follows the decision made at orders');
  }
  console.log(`head sampling sdk: ${kept.length}/150 traces kept`);
});

test('head sampling at 10 % (envoy): Envoy follows the sampled flag it receives, but its egress span starts a new trace that Envoy samples itself, so notifications is traced for every order', async () => {
  const { answers, traces } = await headSampled('envoy', 60);
  const firstTraces = answers.filter(({ traceId }) => traces.has(traceId));
  assert.ok(firstTraces.length <= 20, `${firstTraces.length} of 60 first traces kept`);
  const ingressSpans = [...traces.values()].flat().filter((span) => span.service === 'pricing-envoy' && span.kind === 2);
  assert.equal(ingressSpans.length, firstTraces.length, "Envoy's ingress span exists exactly when inventory sampled the trace");
  const notificationTraces = [...traces.values()].filter((spans) => spans.some((span) => span.service === 'notifications'));
  assert.equal(notificationTraces.length, 60, 'every order has a second trace: Envoy egress -> notifications');
  console.log(`head sampling envoy: ${firstTraces.length}/60 first traces, ${notificationTraces.length}/60 second traces`);
});
