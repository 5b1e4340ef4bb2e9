import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { printTable, waitFor, type TraceSummary } from '@demo/tools';
import { mustRun, run } from '../harness/commands';
import * as stack from '../harness/stack';
import { ORDER } from '../harness/stack';
import { composeBackendOutage, composeCollectorCrash } from './compose-stack-outage';
import { checkOrderTracesOnThePage, checkVolumesCarryOver } from './compose-stack-trace-break';
import { launchChromium } from '../harness/browser';

// The compose stack as a user starts it, under a real Docker Engine: each user-facing compose
// file, unmodified, plus tests/compose-stack/stand-ins.compose.yml, which only swaps in what
// the test machines need (stand-ins for the pinned upstream images, built by
// tests/compose-stack/build-stand-ins.sh; Tempo and Loki played by the project's OTLP
// receiver; no Grafana). The project's own images are built from services/Dockerfile on a
// stand-in node image (node:<NODE_VERSION of .env>-trixie-slim) that, like the real one, has
// no compiler.
//
// Every request goes to the published ports on 127.0.0.1 (or on BIND_ADDRESS, which the compose
// files honour, e.g. 127.0.0.2 beside a native run on the same ports) or stays inside
// compose's networks.

const HOST = process.env.BIND_ADDRESS ?? '127.0.0.1';
const OVERRIDE = 'tests/compose-stack/stand-ins.compose.yml';
const PROJECT = 'otel-demo';
const NODE_SERVICES = ['orders', 'inventory', 'pricing', 'notifications'] as const;
const timings: Record<string, Record<string, string>> = {};
const memoryRows: string[][] = [];

/** `docker compose -f <file> -f <override> ...`: the user's command plus the test machine's stand-ins. */
const compose = (file: string, ...args: string[]) => mustRun('docker', ['compose', '-f', file, '-f', OVERRIDE, ...args]);

/** Everything of the project gone, whatever state a run left it in; never throws. */
const tearDown = (file: string) =>
  run('docker', ['compose', '-f', file, '-f', OVERRIDE, '--profile', 'load', 'down', '-v', '--remove-orphans']);

const timed = <T>(mode: string, step: string, action: () => T): T => stack.timed((timings[mode] ??= {}), step, action);

interface ContainerState {
  Service: string;
  State: string;
  Health: string;
  ID: string;
  ExitCode: number;
}

/** One-shots that run before the others and exit: their container stays, exited 0. */
const ONE_SHOTS = ['otel-collector-queue-owner'];

function containers(file: string, ...extra: string[]): ContainerState[] {
  const output = compose(file, ...extra, 'ps', '--all', '--format', 'json').trim();
  // Compose prints one JSON object per line.
  return output ? output.split('\n').map((line) => JSON.parse(line) as ContainerState) : [];
}

async function waitUntilHealthy(file: string, ...extra: string[]): Promise<ContainerState[]> {
  let last: ContainerState[] = [];
  try {
    return await waitFor(
      () => {
        last = containers(file, ...extra);
        const done = (c: ContainerState) => ONE_SHOTS.includes(c.Service) && c.State === 'exited' && c.ExitCode === 0;
        return (
          last.length > 0 && last.every((c) => done(c) || (c.State === 'running' && (c.Health === '' || c.Health === 'healthy'))) && last
        );
      },
      180_000,
      'every container running and healthy',
    );
  } catch (error) {
    const states = last.map((c) => `${c.Service}: ${c.State} ${c.Health}`).join('\n');
    const logs = run('docker', ['compose', '-f', file, '-f', OVERRIDE, 'logs', '--tail', '15']).stdout;
    throw new Error(`${(error as Error).message}\n${states}\n${logs}`, { cause: error });
  }
}

const containerId = (file: string, service: string) => compose(file, 'ps', '-q', service).trim();

// tests/src/harness/stack.ts, aimed at the published ports.
const ORDERS_URL = `http://${HOST}:8000/orders`;
const TEMPO_URL = `http://${HOST}:3200`;
const postOrder = (url = ORDERS_URL) => stack.postOrder(url);
/** Laptops back in stock: the outage scenarios' load sells the seeded 25, and the volumes may carry that over. */
async function restockLaptops(): Promise<void> {
  const answer = await fetch(`http://${HOST}:3001/inventory/restock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ product_name: 'Laptop', quantity: 1000 }),
  });
  assert.equal(answer.status, 200, await answer.text());
}
const storedSpans = () => stack.storedSpans(TEMPO_URL);
const tracesOfOneOrder = () => stack.tracesOfOneOrder(ORDERS_URL, TEMPO_URL);

function nothingLeft(): string[] {
  const label = `label=com.docker.compose.project=${PROJECT}`;
  return [
    ...mustRun('docker', ['ps', '-aq', '--filter', label])
      .split('\n')
      .filter(Boolean)
      .map((id) => `container ${id}`),
    ...mustRun('docker', ['network', 'ls', '-q', '--filter', label])
      .split('\n')
      .filter(Boolean)
      .map((id) => `network ${id}`),
    ...mustRun('docker', ['volume', 'ls', '-q', '--filter', label])
      .split('\n')
      .filter(Boolean)
      .map((id) => `volume ${id}`),
  ];
}

const MiB = 1024 * 1024;
function parseSize(text: string): number {
  const match = /^([\d.]+)\s*([kKMG]?i?B)$/.exec(text.trim());
  if (!match) throw new Error(`unexpected size ${text}`);
  const unit = { B: 1, KiB: 1024, MiB, GiB: 1024 * MiB, kB: 1000, MB: 1e6, GB: 1e9 }[match[2]!] ?? 1;
  return Number(match[1]) * unit;
}

/** Each container's memory now (docker stats) against its limit (docker inspect), as table rows. */
function checkMemory(mode: string, file: string, ...extra: string[]): void {
  for (const container of containers(file, ...extra)) {
    const limit = Number(mustRun('docker', ['inspect', '--format', '{{.HostConfig.Memory}}', container.ID]).trim());
    const usage = parseSize(mustRun('docker', ['stats', '--no-stream', '--format', '{{.MemUsage}}', container.ID]).split('/')[0]!);
    memoryRows.push([
      mode,
      container.Service,
      (usage / MiB).toFixed(1),
      (limit / MiB).toFixed(0),
      `${Math.round((100 * usage) / limit)} %`,
    ]);
    assert.ok(limit > 0, `${mode}/${container.Service} has no memory limit`);
    assert.ok(usage < limit, `${mode}/${container.Service}: ${usage} bytes used of a ${limit} byte limit`);
  }
}

before(() => {
  // The engine and Compose come from scripts/setup-docker.sh (run by scripts/test.sh).
  mustRun('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 30_000 });
  timed('all', 'stand-in images', () => mustRun('bash', ['tests/compose-stack/build-stand-ins.sh'], { timeoutMs: 900_000 }));
  // Left over from an interrupted run: start from nothing.
  tearDown('docker-compose-envoy.yml');
  assert.deepEqual(nothingLeft(), []);
});

after(() => {
  tearDown('docker-compose-envoy.yml');
  console.log('\nMemory per container (docker stats, after the checks and a burst of orders):');
  printTable(['mode', 'container', 'MiB used', 'MiB limit', 'share'], memoryRows, '  ');
  console.log('\nTimes:', JSON.stringify(timings, null, 1));
});

interface ModeCase {
  mode: 'sdk' | 'envoy' | 'envoy-propagation';
  file: string;
  checkShape: (traceId: string, traces: TraceSummary[]) => void;
}

const MODES: ModeCase[] = [
  {
    mode: 'sdk',
    file: 'docker-compose.yml',
    checkShape: (traceId, traces) => {
      assert.equal(traces.length, 1, JSON.stringify(traces));
      assert.equal(traces[0]!.traceId, traceId);
      assert.deepEqual(traces[0]!.services, ['orders', 'inventory', 'pricing', 'notifications']);
    },
  },
  {
    mode: 'envoy',
    file: 'docker-compose-envoy.yml',
    checkShape: (traceId, traces) => {
      assert.equal(traces.length, 2, JSON.stringify(traces));
      assert.equal(traces[0]!.traceId, traceId);
      assert.deepEqual(traces[0]!.services, ['orders', 'inventory', 'pricing-envoy']);
      // The second trace starts at Envoy's egress span: nothing links it to the first.
      assert.equal(traces[1]!.rootService, 'pricing-envoy');
      assert.deepEqual(traces[1]!.services, ['pricing-envoy', 'notifications']);
    },
  },
  {
    mode: 'envoy-propagation',
    file: 'docker-compose-envoy-propagation.yml',
    checkShape: (traceId, traces) => {
      assert.equal(traces.length, 1, JSON.stringify(traces));
      assert.equal(traces[0]!.traceId, traceId);
      assert.deepEqual(traces[0]!.services, ['orders', 'inventory', 'pricing-envoy', 'notifications']);
      assert.equal(traces[0]!.spansPerService['pricing-envoy'], 2, 'ingress and egress');
    },
  },
];

test("the compose files share their volumes: orders and Tempo's traces carry over between modes (compose-stack-trace-break.ts)", () =>
  checkVolumesCarryOver(MODES.map(({ file }) => file)));

/** The order placed by this mode's "one order" step, and one a passing envoy run left in its volumes. */
let placed: number | undefined;
let carried: { file: string; orderId: number; mode: string } | undefined;

for (const { mode, file, checkShape } of MODES) {
  test(`compose ${mode} (${file}): up, healthy, one order traced as the README says, down`, async (t) => {
    // Built first, so an image left by an earlier run never hides a change (cached layers
    // make this quick when nothing changed); then the README's own command.
    timed(mode, 'build', () => compose(file, 'build'));
    placed = undefined; // set by this mode's own order step, never left over from the last mode
    // Whatever fails below, the next mode starts from nothing; only an envoy run that passed
    // leaves its volumes, for envoy-propagation to find its order (docs/trace-break.md's comparison).
    t.after(() => {
      if (carried?.file !== file) tearDown(file);
    });
    timed(mode, 'up -d', () => compose(file, 'up', '-d'));
    const started = Date.now();
    const running = await waitUntilHealthy(file);
    if (carried) await restockLaptops(); // the last mode's orders are still in its volumes
    (timings[mode] ??= {})['healthy after up'] = `${((Date.now() - started) / 1000).toFixed(1)} s`;
    const expected = [
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
      ...(mode === 'sdk' ? [] : ['envoy', 'pricing-pod']),
    ];
    assert.deepEqual(running.map((c) => c.Service).sort(), expected.sort());

    await t.test('the services run as non-root and keep their SQLite files in named volumes', () => {
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
    });

    await t.test('one order: 201 with a trace id, and the trace shape of this mode in the Tempo stand-in', async () => {
      const { traceId, traces, orderId } = await tracesOfOneOrder();
      checkShape(traceId, traces);
      placed = orderId;
    });

    await t.test('logs reach the Loki stand-in with the trace id', async () => {
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
    });

    await t.test(
      `pricing logs "Propagating header traceparent=" ${mode === 'envoy-propagation' ? 'in this mode' : 'never in this mode'}`,
      () => {
        const logs = compose(file, 'logs', 'pricing');
        if (mode === 'envoy-propagation') assert.match(logs, /Propagating header traceparent=00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]/);
        else assert.doesNotMatch(logs, /Propagating header/);
      },
    );

    await t.test('the web UI serves its page and only its page, and its /api reaches orders', async () => {
      const page = await fetch(`http://${HOST}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /Create Order &amp; Trigger Workflow|Create Order & Trigger Workflow/);
      for (const path of ['/README.md', '/nginx/nginx.conf', '/nginx/default.conf.template', '/public/index.html']) {
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
    });

    await t.test("an order clicked in Chromium: one trace from the browser's click to notifications", async () => {
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
    });

    // Issue 18: the page draws every trace of an order from the Tempo stand-in's search.
    await t.test('the page draws every trace of an order and names the break (compose-stack-trace-break.ts)', () =>
      checkOrderTracesOnThePage(HOST, mode),
    );

    await t.test('Prometheus scrapes the collector', async () => {
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
    });

    if (mode !== 'sdk') {
      // Pricing and Envoy share a network namespace that neither owns: after either crashes,
      // Docker restarts it into the same namespace and the chain works again by itself.
      const crash = async (service: 'pricing' | 'envoy') => {
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
      };
      await t.test("kill -9 of pricing's node process: restarted into the shared namespace, orders succeed again", () => crash('pricing'));
      await t.test('kill -9 of Envoy: restarted into the shared namespace, orders succeed again', () => crash('envoy'));
    }

    if (mode === 'sdk') {
      await t.test('Prometheus loads the alert rules', async () => {
        const body = (await (await fetch(`http://${HOST}:9090/api/v1/rules`)).json()) as {
          data: { groups: { rules: { name: string }[] }[] };
        };
        const names = body.data.groups.flatMap((group) => group.rules.map((rule) => rule.name)).sort();
        assert.deepEqual(names, ['CollectorLosingTelemetry', 'ServiceErrorRatioHigh', 'ServiceLatencyP95High']);
      });

      // Nothing lost (compose-stack-outage.ts): a backend outage and a collector crash under load.
      const composeStack = {
        host: HOST,
        compose: (...args: string[]) => compose(file, ...args),
        containerId: (service: string) => containerId(file, service),
      };
      for (const [name, scenario] of [
        ['backend-outage: the Tempo and Loki stand-ins stopped for 10 s', composeBackendOutage],
        ['collector-crash: kill -9 of the collector, restarted by Docker', composeCollectorCrash],
      ] as const) {
        await t.test(`${name} under 20 orders/s: no order fails, no span or log record is lost, the alert stays silent`, async () => {
          const result = await scenario(composeStack);
          console.log(`compose ${name}: ${JSON.stringify(result)}`);
          assert.equal(result.orders_failed, 0, JSON.stringify(result));
          assert.deepEqual(
            [result.spans_lost, result.logs_lost, result.traces_complete],
            [0, 0, result.traces_expected],
            JSON.stringify(result),
          );
          assert.deepEqual(
            Object.values(result.collector_counted).filter((count) => count > 0),
            [],
            JSON.stringify(result),
          );
          assert.equal(result.alert, 'inactive', JSON.stringify(result));
        });
      }

      await t.test(
        "docs/telemetry.md's tail-sampling command: the collector takes both configs, a failed order's trace is kept",
        async () => {
          // The user's command is `docker compose -f docker-compose.yml -f compose/tail-sampling.yaml up -d`.
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
        },
      );
    }

    await t.test('memory: every container under its limit after a burst of orders', async () => {
      for (let i = 0; i < 40; i++) assert.equal((await postOrder()).status, 201);
      checkMemory(mode, file);
    });

    if (mode === 'sdk') {
      // Switched on the running stack, as a user would: compose recreates pricing (and the two
      // services that name the mode), nothing else.
      await t.test(
        "the README's zero-code command: one trace, pricing's spans from auto-instrumentations-node's libraries, none of its queries",
        async () => {
          const command = /^(docker compose -f (docker-compose-zero-code\.yml) up -d)$/m.exec(fs.readFileSync('README.md', 'utf8'));
          assert.ok(command, 'README.md gives `docker compose -f docker-compose-zero-code.yml up -d`');
          const zeroCode = command[2]!;
          timed('zero-code', 'up -d on the sdk stack', () => compose(zeroCode, 'up', '-d'));
          await waitUntilHealthy(zeroCode);
          const config = (await (await fetch(`http://${HOST}/config.json`)).json()) as { mode: string };
          assert.equal(config.mode, 'zero-code');
          // The switch recreates the collector too (the tail-sampling step above left it on
          // its other config), so an exporter may still be in its reconnect backoff: wait for
          // the order's whole trace, not for a quiet moment.
          await restockLaptops();
          const order = await postOrder();
          assert.equal(order.status, 201, JSON.stringify(order.body));
          assert.equal(order.body.status, 'confirmed', JSON.stringify(order.body));
          const traceId = String(order.body.trace_id);
          const services = ['orders', 'inventory', 'pricing', 'notifications'];
          const spansOf = async (id: string) => (await storedSpans()).filter((span) => span.traceId === id);
          await waitFor(
            async () => {
              const found = await spansOf(traceId);
              return services.every((service) => found.some((span) => span.service === service));
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
          for (let i = 0; i < 40; i++) assert.equal((await postOrder()).status, 201);
          checkMemory('zero-code', zeroCode);
        },
      );
    }

    if (mode === 'envoy') {
      // The comparison docs/trace-break.md describes: `down` without -v here, the next mode's
      // file in the next test, and this order is still listed there with its mode.
      await t.test("the README's `down` without -v leaves no container or network, and keeps the volumes", () => {
        timed(mode, 'down', () => compose(file, '--profile', 'load', 'down'));
        const left = nothingLeft();
        assert.deepEqual(
          left.filter((thing) => !thing.startsWith('volume ')),
          [],
        );
        assert.ok(
          mustRun('docker', ['volume', 'ls', '--format', '{{.Name}}']).split('\n').includes('otel-demo_orders-data'),
          'down without -v keeps the orders volume',
        );
        // Only an order this run placed is compared (a failed order step has failed this test already).
        if (placed) carried = { file, orderId: placed, mode };
      });
      return;
    }

    if (carried) {
      await t.test(
        `orders carry over between compose files: the order placed in ${carried.mode} is still there, with its mode`,
        async () => {
          // GET /orders/<id>, as the page's "Recent orders" row links it (GET /orders lists only the latest 50).
          const modeOf = async (id: number) => ((await (await fetch(`${ORDERS_URL}/${id}`)).json()) as { mode?: string }).mode;
          assert.ok(placed, `no order of ${mode} to compare: its "one order" step failed`);
          assert.equal(await modeOf(carried!.orderId), carried!.mode, `order ${carried!.orderId}`);
          assert.equal(await modeOf(placed), mode, `order ${placed}`);
          carried = undefined;
        },
      );
    }

    await t.test("the README's stop command leaves no container, network or volume", () => {
      timed(mode, 'down -v', () => compose(file, '--profile', 'load', 'down', '-v'));
      assert.deepEqual(nothingLeft(), []);
    });
  });
}

test("compose --profile load: the load generator places orders, and the README's stop command stops it too", async (t) => {
  const file = 'docker-compose.yml';
  compose(file, '--profile', 'load', 'build');
  t.after(() => tearDown(file));
  compose(file, '--profile', 'load', 'up', '-d');
  const running = await waitUntilHealthy(file, '--profile', 'load');
  assert.ok(running.some((c) => c.Service === 'load-generator'));
  // GET /orders lists the latest 50; their highest id counts every order placed so far.
  const count = async () =>
    Math.max(
      0,
      ...((await (await fetch(`http://${HOST}:8000/orders`)).json()) as { orders: { order_id: number }[] }).orders.map(
        (order) => order.order_id,
      ),
    );
  const first = await count();
  await waitFor(async () => (await count()) >= first + 5, 30_000, 'the load generator placing orders');
  // FAULT_PERCENT defaults to 10: some of its orders ask for a fault, and the named service says so in its span.
  await waitFor(
    async () => (await storedSpans()).some((span) => typeof span.attributes['demo.fault'] === 'string'),
    90_000,
    'a faulted order from the load generator',
  );
  checkMemory('sdk --profile load', file, '--profile', 'load');
  compose(file, '--profile', 'load', 'down', '-v');
  assert.deepEqual(nothingLeft(), []);
});

test('the five Node images share one node_modules layer: at most 40 MB of each is its own (docker system df -v)', () => {
  // Built by the tests above. services/Dockerfile installs every image's production
  // dependencies in one layer that does not depend on SERVICE, so Docker stores it once.
  const images = JSON.parse(mustRun('docker', ['system', 'df', '-v', '--format', '{{json .Images}}'])) as {
    Repository: string;
    Tag: string;
    Size: string;
    SharedSize: string;
    UniqueSize: string;
  }[];
  const rows: string[][] = [];
  for (const name of [...NODE_SERVICES, 'load-generator']) {
    const image = images.find((i) => i.Repository === `otel-demo/${name}` && i.Tag === '1.0.0');
    assert.ok(image, `otel-demo/${name}:1.0.0 is not built`);
    rows.push([`otel-demo/${name}`, image.Size, image.SharedSize, image.UniqueSize]);
    // docker prints SI units here (1 MB = 1000 kB).
    assert.ok(parseSize(image.UniqueSize) <= 40e6, `otel-demo/${name}: ${image.UniqueSize} of its ${image.Size} is its own`);
  }
  console.log('\nImage sizes (docker system df -v):');
  printTable(['image', 'size', 'shared', 'unique'], rows, '  ');
});
