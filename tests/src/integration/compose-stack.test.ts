import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { printTable, waitFor } from '@demo/tools';
import { mustRun } from '../harness/commands';
import {
  checkMemory,
  compose,
  HOST,
  memoryRows,
  NODE_SERVICES,
  nothingLeft,
  ORDERS_URL,
  parseSize,
  restockLaptops,
  storedSpans,
  tearDown,
  timed,
  timings,
  waitUntilHealthy,
} from '../harness/compose-stack';
import {
  clickedOrderIsOneTraceFromTheBrowser,
  crashAndRecover,
  downKeepsTheVolumes,
  expectedServices,
  logsCarryTheTraceId,
  memoryStaysUnderLimitsAfterABurst,
  oneOrderHasTheModesShape,
  OUTAGES,
  outageLosesNothing,
  pricingLogsItsHeaderCopies,
  prometheusLoadsTheAlertRules,
  prometheusScrapesTheCollector,
  servicesRunAsNonRootWithNamedVolumes,
  stopLeavesNothing,
  tailSamplingKeepsAFailedTrace,
  webUiServesOnlyItsPage,
  zeroCodeOnTheRunningStack,
  type ModeCase,
} from '../harness/compose-steps';
import { checkOrderTracesOnThePage, checkVolumesCarryOver } from '../harness/compose-trace-break';

// The compose stack as a user starts it, under a real Docker Engine: each user-facing compose
// file, unmodified, with the test machine's stand-ins (tests/src/harness/compose-stack.ts).
// The project's own images are built from services/Dockerfile and web-ui/Dockerfile on a
// stand-in node image (node:<NODE_VERSION of .env>-trixie-slim) that, like the real one, has
// no compiler. Each mode is one test whose steps (tests/src/harness/compose-steps.ts) run in
// the order a user would try them.

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

test("the compose files share their volumes: orders and Tempo's traces carry over between modes", () =>
  checkVolumesCarryOver(MODES.map(({ file }) => file)));

/** The order placed by this mode's "one order" step, and one a passing envoy run left in its volumes. */
let placed: number | undefined;
let carried: { file: string; orderId: number; mode: string } | undefined;

for (const run of MODES) {
  const { mode, file } = run;
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
    assert.deepEqual(running.map((c) => c.Service).sort(), expectedServices(mode).sort());

    await t.test('the services run as non-root and keep their SQLite files in named volumes', () =>
      servicesRunAsNonRootWithNamedVolumes(file),
    );
    await t.test('one order: 201 with a trace id, and the trace shape of this mode in the Tempo stand-in', async () => {
      placed = await oneOrderHasTheModesShape(run);
    });
    await t.test('logs reach the Loki stand-in with the trace id', () => logsCarryTheTraceId(file));
    await t.test(
      `pricing logs "Propagating header traceparent=" ${mode === 'envoy-propagation' ? 'in this mode' : 'never in this mode'}`,
      () => pricingLogsItsHeaderCopies(run),
    );
    await t.test('the web UI serves its page and only its page, and its /api reaches orders', () => webUiServesOnlyItsPage(run));
    await t.test("an order clicked in Chromium: one trace from the browser's click to notifications", () =>
      clickedOrderIsOneTraceFromTheBrowser(),
    );
    await t.test('the page draws every trace of an order and names the break', () => checkOrderTracesOnThePage(HOST, mode));
    await t.test('Prometheus scrapes the collector', () => prometheusScrapesTheCollector());

    if (mode !== 'sdk') {
      await t.test("kill -9 of pricing's node process: restarted into the shared namespace, orders succeed again", () =>
        crashAndRecover(file, 'pricing'),
      );
      await t.test('kill -9 of Envoy: restarted into the shared namespace, orders succeed again', () => crashAndRecover(file, 'envoy'));
    }

    if (mode === 'sdk') {
      await t.test('Prometheus loads the alert rules', () => prometheusLoadsTheAlertRules());
      for (const [name, scenario] of OUTAGES) {
        await t.test(`${name} under 20 orders/s: no order fails, no span or log record is lost, the alert stays silent`, () =>
          outageLosesNothing(file, name, scenario),
        );
      }
      await t.test("docs/telemetry.md's tail-sampling command: the collector takes both configs, a failed order's trace is kept", () =>
        tailSamplingKeepsAFailedTrace(file),
      );
    }

    await t.test('memory: every container under its limit after a burst of orders', () => memoryStaysUnderLimitsAfterABurst(mode, file));

    if (mode === 'sdk') {
      await t.test(
        "the README's zero-code command: one trace, pricing's spans from auto-instrumentations-node's libraries, none of its queries",
        () => zeroCodeOnTheRunningStack(),
      );
    }

    if (mode === 'envoy') {
      // The comparison docs/trace-break.md describes: `down` without -v here, the next mode's
      // file in the next test, and this order is still listed there with its mode.
      await t.test("the README's `down` without -v leaves no container or network, and keeps the volumes", () => {
        downKeepsTheVolumes(run);
        // Only an order this run placed is compared (a failed order step has failed this test already).
        if (placed) carried = { file, orderId: placed, mode };
      });
      return;
    }

    if (carried) {
      const from = carried;
      await t.test(`orders carry over between compose files: the order placed in ${from.mode} is still there, with its mode`, async () => {
        // GET /orders/<id>, as the page's "Recent orders" row links it (GET /orders lists only the latest 50).
        const modeOf = async (id: number) => ((await (await fetch(`${ORDERS_URL}/${id}`)).json()) as { mode?: string }).mode;
        assert.ok(placed, `no order of ${mode} to compare: its "one order" step failed`);
        assert.equal(await modeOf(from.orderId), from.mode, `order ${from.orderId}`);
        assert.equal(await modeOf(placed), mode, `order ${placed}`);
        carried = undefined;
      });
    }

    await t.test("the README's stop command leaves no container, network or volume", () => stopLeavesNothing(run));
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
