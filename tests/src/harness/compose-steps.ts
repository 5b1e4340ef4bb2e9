import assert from 'node:assert/strict';
import fs from 'node:fs';
import { waitFor, type TraceSummary } from '@demo/tools';
import { launchChromium } from './browser';
import { mustRun } from './commands';
import { composeBackendOutage, composeCollectorCrash } from './compose-outage';
import {
  checkMemory,
  compose,
  containerId,
  HOST,
  NODE_SERVICES,
  nothingLeft,
  ONE_SHOTS,
  OVERRIDE,
  postOrder,
  PROJECT,
  restockLaptops,
  storedSpans,
  timed,
  tracesOfOneOrder,
  waitUntilHealthy,
} from './compose-stack';
import { ORDER } from './stack';

// The steps of one compose mode's run (tests/src/integration/compose-stack.test.ts lists them
// in order), each a check a user could make by hand on the running stack.

export type ComposeMode = 'sdk' | 'envoy' | 'envoy-propagation';

export interface ModeCase {
  mode: ComposeMode;
  file: string;
  /** The traces one order leaves in this mode, as the README's mode table says. */
  checkShape: (traceId: string, traces: TraceSummary[]) => void;
}

/** The containers a mode runs once healthy. */
export function expectedServices(mode: ComposeMode): string[] {
  const always = [
    'orders',
    'inventory',
    'pricing',
    'notifications',
    'web-ui',
    'otel-collector',
    ...ONE_SHOTS,
    'tempo',
    'loki',
    'prometheus',
  ];
  return [...always, ...(mode === 'sdk' ? [] : ['envoy', 'pricing-pod'])];
}

export function servicesRunAsNonRootWithNamedVolumes(file: string): void {
  for (const service of NODE_SERVICES) {
    const id = containerId(file, service);
    assert.equal(mustRun('docker', ['exec', id, 'id', '-u']).trim(), '1000', service);
    const mounts = JSON.parse(mustRun('docker', ['inspect', '--format', '{{json .Mounts}}', id])) as {
      Type: string;
      Name?: string;
      Destination: string;
    }[];
    assert.ok(
      mounts.some((m) => m.Type === 'volume' && m.Name === `${PROJECT}_${service}-data` && m.Destination === '/app/data'),
      `${service}: ${JSON.stringify(mounts)}`,
    );
    // `ls -ln`: owner uid of the database file, written by the service itself.
    const listing = mustRun('docker', ['exec', id, 'ls', '-ln', '/app/data']);
    assert.match(listing, new RegExp(`\\s1000\\s+1000\\s+\\d+ .* ${service}\\.db\\n`), `${service}: ${listing}`);
  }
}

/** One order's traces in the Tempo stand-in, held to the mode's shape; returns the order's id. */
export async function oneOrderHasTheModesShape({ checkShape }: ModeCase): Promise<number> {
  const { traceId, traces, orderId } = await tracesOfOneOrder();
  checkShape(traceId, traces);
  return orderId;
}

export async function logsCarryTheTraceId(file: string): Promise<void> {
  const order = await postOrder();
  await waitFor(
    async () => {
      const logs = (await (await fetch(`http://${HOST}:3100/stand-in/logs`)).json()) as { traceId: string; service: string }[];
      return logs.some((log) => log.traceId === order.body.trace_id && log.service === 'orders');
    },
    20_000,
    'an orders log record carrying the order trace id',
  );
  // The README's command for a service's logs, as written, with this test's stand-ins added.
  const readmeCommand = /`(docker compose logs orders)`/.exec(fs.readFileSync('README.md', 'utf8'))?.[1];
  assert.ok(readmeCommand, 'README.md gives `docker compose logs orders`');
  const [, , ...args] = readmeCommand.split(' ');
  const lines = mustRun('docker', ['compose', '-f', file, '-f', OVERRIDE, ...args]).split('\n');
  assert.ok(
    lines.some((line) => line.includes(`"trace_id":"${order.body.trace_id}"`) && line.includes('"span_id":"')),
    'a JSON log line of orders with the trace id and a span id',
  );
}

export function pricingLogsItsHeaderCopies({ mode, file }: ModeCase): void {
  const logs = compose(file, 'logs', 'pricing');
  if (mode === 'envoy-propagation') assert.match(logs, /Propagating header traceparent=00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]/);
  else assert.doesNotMatch(logs, /Propagating header/);
}

export async function webUiServesOnlyItsPage({ mode, file }: ModeCase): Promise<void> {
  const page = await fetch(`http://${HOST}/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Create Order &amp; Trigger Workflow|Create Order & Trigger Workflow/);
  for (const path of ['/README.md', '/nginx/nginx.conf', '/nginx/default.conf.template', '/public/index.html', '/src/page/main.ts']) {
    assert.equal((await fetch(`http://${HOST}${path}`)).status, 404, path);
  }
  const config = (await (await fetch(`http://${HOST}/config.json`)).json()) as { mode: string };
  assert.equal(config.mode, mode);
  const order = await postOrder(`http://${HOST}/api/orders`);
  assert.equal(order.status, 201, JSON.stringify(order.body));
  const listed = (await (await fetch(`http://${HOST}/api/orders`)).json()) as { orders: { order_id: number }[] };
  assert.ok(listed.orders.some((o) => o.order_id === order.body.order_id));
  // The health check has run by now, and its requests are not in the access log.
  const health = JSON.parse(mustRun('docker', ['inspect', '--format', '{{json .State.Health}}', containerId(file, 'web-ui')])) as {
    Log: unknown[];
  };
  assert.ok(health.Log.length > 0);
  const logs = compose(file, 'logs', 'web-ui');
  assert.match(logs, /POST \/api\/orders/);
  assert.doesNotMatch(logs, /healthz/);
}

export async function clickedOrderIsOneTraceFromTheBrowser(): Promise<void> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`http://${HOST}/`);
    await page.getByRole('button', { name: 'Create Order & Trigger Workflow' }).click();
    await page.locator('#result-summary', { hasText: 'confirmed' }).waitFor({ timeout: 15_000 });
    const traceId = await page.locator('#trace-id').innerText();
    const spans = await waitFor(
      async () => {
        const found = (await storedSpans()).filter((span) => span.traceId === traceId);
        const click = found.find((span) => span.service === 'web-ui' && span.name === 'click');
        // The fetch span ends after the answer, so it may come in a later batch than the click.
        return (
          click && found.some((span) => span.parentSpanId === click.spanId) && found.some((span) => span.service === 'orders') && found
        );
      },
      20_000,
      'the click, its fetch and the order in one trace in the Tempo stand-in',
    );
    const click = spans.find((span) => span.service === 'web-ui' && span.name === 'click')!;
    const fetchSpan = spans.find((span) => span.service === 'web-ui' && span.parentSpanId === click.spanId);
    assert.ok(fetchSpan, 'the fetch span under the click');
    assert.equal(spans.find((span) => span.service === 'orders' && span.kind === 2)?.parentSpanId, fetchSpan.spanId);
    assert.ok(
      (await storedSpans()).some((span) => span.service === 'web-ui' && span.name === 'documentLoad'),
      'the page load trace',
    );
  } finally {
    await browser.close();
  }
  assert.equal((await fetch(`http://${HOST}/otlp/v1/traces`)).status, 403);
}

export async function prometheusScrapesTheCollector(): Promise<void> {
  await waitFor(
    async () => {
      const body = (await (await fetch(`http://${HOST}:9090/api/v1/targets`)).json()) as {
        data: { activeTargets: { scrapeUrl: string; health: string }[] };
      };
      return body.data.activeTargets.some((target) => target.scrapeUrl.includes('otel-collector:8889') && target.health === 'up');
    },
    30_000,
    'the collector target up in Prometheus',
  );
  await waitFor(
    async () => {
      const body = (await (await fetch(`http://${HOST}:9090/api/v1/query?query=sum(traces_span_metrics_calls_total)`)).json()) as {
        data: { result: unknown[] };
      };
      return body.data.result.length > 0;
    },
    30_000,
    'span metrics in Prometheus',
  );
}

/**
 * Pricing and Envoy share a network namespace that neither owns: after either crashes,
 * Docker restarts it into the same namespace and the chain works again by itself.
 */
export async function crashAndRecover(file: string, service: 'pricing' | 'envoy'): Promise<void> {
  const id = containerId(file, service);
  const pid = mustRun('docker', ['inspect', '--format', '{{.State.Pid}}', id]).trim();
  // pricing runs under tini (init: true): its node process is tini's child.
  const target = service === 'pricing' ? fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0] : pid;
  assert.ok(target, `the ${service} process`);
  process.kill(Number(target), 'SIGKILL');
  const during = await postOrder();
  assert.ok([201, 502, 504].includes(during.status), JSON.stringify(during.body));
  if (during.status !== 201) assert.equal(during.body.dependency, 'pricing', JSON.stringify(during.body));
  await waitFor(async () => (await postOrder()).status === 201, 60_000, `an order answered 201 after ${service} restarted`);
  assert.notEqual(mustRun('docker', ['inspect', '--format', '{{.RestartCount}}', id]).trim(), '0');
}

export async function prometheusLoadsTheAlertRules(): Promise<void> {
  const body = (await (await fetch(`http://${HOST}:9090/api/v1/rules`)).json()) as {
    data: { groups: { rules: { name: string }[] }[] };
  };
  const names = body.data.groups.flatMap((group) => group.rules.map((rule) => rule.name)).sort();
  assert.deepEqual(names, ['CollectorLosingTelemetry', 'ServiceErrorRatioHigh', 'ServiceLatencyP95High']);
}

/** Nothing lost (compose-outage.ts): a backend outage and a collector crash under load. */
export const OUTAGES = [
  ['backend-outage: the Tempo and Loki stand-ins stopped for 10 s', composeBackendOutage],
  ['collector-crash: kill -9 of the collector, restarted by Docker', composeCollectorCrash],
] as const;

export async function outageLosesNothing(file: string, name: string, scenario: (typeof OUTAGES)[number][1]): Promise<void> {
  const result = await scenario({
    host: HOST,
    compose: (...args: string[]) => compose(file, ...args),
    containerId: (service: string) => containerId(file, service),
  });
  console.log(`compose ${name}: ${JSON.stringify(result)}`);
  assert.equal(result.orders_failed, 0, JSON.stringify(result));
  assert.deepEqual([result.spans_lost, result.logs_lost, result.traces_complete], [0, 0, result.traces_expected], JSON.stringify(result));
  assert.deepEqual(
    Object.values(result.collector_counted).filter((count) => count > 0),
    [],
    JSON.stringify(result),
  );
  assert.equal(result.alert, 'inactive', JSON.stringify(result));
}

/** docs/telemetry.md's `docker compose -f docker-compose.yml -f compose/tail-sampling.yaml up -d`. */
export async function tailSamplingKeepsAFailedTrace(file: string): Promise<void> {
  mustRun('docker', ['compose', '-f', file, '-f', 'compose/tail-sampling.yaml', '-f', OVERRIDE, 'up', '-d']);
  const command = mustRun('docker', ['inspect', '--format', '{{json .Args}}', containerId(file, 'otel-collector')]);
  assert.match(command, /--config=\/etc\/otelcol\/tail-sampling.yaml/);
  const response = await fetch(`http://${HOST}:8000/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', baggage: 'demo.fault=inventory:error' },
    body: JSON.stringify(ORDER),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await response.json()) as { trace_id: string; dependency: string };
  assert.equal(response.status, 502);
  assert.equal(body.dependency, 'inventory');
  // Kept by the error policy after the 5 s decision wait (a collector restarting first may take longer).
  await waitFor(
    async () => (await storedSpans()).some((span) => span.traceId === body.trace_id),
    45_000,
    'the failed trace in the Tempo stand-in',
  );
}

export async function memoryStaysUnderLimitsAfterABurst(mode: string, file: string): Promise<void> {
  for (let i = 0; i < 40; i++) assert.equal((await postOrder()).status, 201);
  checkMemory(mode, file);
}

/**
 * The README's zero-code command, switched on the running sdk stack as a user would: compose
 * recreates pricing (and the two services that name the mode), nothing else.
 */
export async function zeroCodeOnTheRunningStack(): Promise<void> {
  const command = /^(docker compose -f (docker-compose-zero-code\.yml) up -d)$/m.exec(fs.readFileSync('README.md', 'utf8'));
  assert.ok(command, 'README.md gives `docker compose -f docker-compose-zero-code.yml up -d`');
  const zeroCode = command[2]!;
  timed('zero-code', 'up -d on the sdk stack', () => compose(zeroCode, 'up', '-d'));
  await waitUntilHealthy(zeroCode);
  const config = (await (await fetch(`http://${HOST}/config.json`)).json()) as { mode: string };
  assert.equal(config.mode, 'zero-code');
  // The switch recreates the collector too (the tail-sampling step left it on its other
  // config), so an exporter may still be in its reconnect backoff: wait for the order's
  // whole trace, not for a quiet moment.
  await restockLaptops();
  const order = await postOrder();
  assert.equal(order.status, 201, JSON.stringify(order.body));
  assert.equal(order.body.status, 'confirmed', JSON.stringify(order.body));
  const traceId = String(order.body.trace_id);
  const spansOf = async (id: string) => (await storedSpans()).filter((span) => span.traceId === id);
  await waitFor(
    async () => {
      const found = await spansOf(traceId);
      return NODE_SERVICES.every((service) => found.some((span) => span.service === service));
    },
    60_000,
    "the order's trace through all four services in the Tempo stand-in",
  );
  await new Promise((resolve) => setTimeout(resolve, 2000)); // the rest of the last batches
  // One trace: no other trace holds a span of this order.
  const elsewhere = (await storedSpans()).filter(
    (span) => span.traceId !== traceId && span.attributes['app.order.id'] === order.body.order_id,
  );
  assert.deepEqual(
    elsewhere.map((span) => `${span.service}: ${span.name}`),
    [],
  );
  const pricing = (await spansOf(traceId)).filter((span) => span.service === 'pricing');
  const scopes = new Set(pricing.map((span) => span.scope));
  for (const library of ['http', 'express', 'undici'])
    assert.ok(scopes.has(`@opentelemetry/instrumentation-${library}`), [...scopes].join(', '));
  assert.deepEqual(
    pricing.filter((span) => Object.keys(span.attributes).some((key) => key.startsWith('db.'))).map((span) => span.name),
    [],
    'no SQLite span from pricing',
  );
  await memoryStaysUnderLimitsAfterABurst('zero-code', zeroCode);
}

/** The README's `down` without -v: no container or network left, the volumes kept for the next mode. */
export function downKeepsTheVolumes({ mode, file }: ModeCase): void {
  timed(mode, 'down', () => compose(file, '--profile', 'load', 'down'));
  assert.deepEqual(
    nothingLeft().filter((thing) => !thing.startsWith('volume ')),
    [],
  );
  assert.ok(
    mustRun('docker', ['volume', 'ls', '--format', '{{.Name}}']).split('\n').includes('otel-demo_orders-data'),
    'down without -v keeps the orders volume',
  );
}

/** The README's stop command: `down -v` leaves no container, network or volume. */
export function stopLeavesNothing({ mode, file }: ModeCase): void {
  timed(mode, 'down -v', () => compose(file, '--profile', 'load', 'down', '-v'));
  assert.deepEqual(nothingLeft(), []);
}
