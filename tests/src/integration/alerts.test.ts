import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  activeAlerts,
  freePort,
  fromRoot,
  prometheusProcess,
  prometheusTool,
  PROMETHEUS_BINARY,
  PROMTOOL_BINARY,
  sleep,
  type AlertState,
  type ManagedProcess,
} from '@demo/tools';
import { startHarness, postJson, type Harness } from '../harness/harness';
import { pinned } from '../harness/versions';

// The alert rules (prometheus/alert-rules.yml): their promtool unit tests, then the real
// thing: services with the SDK -> the real collector's span metrics -> the real Prometheus
// evaluating the rules, while faulted orders make notifications fail, then stop. Prometheus
// and promtool are the version compose pins (scripts/setup-prometheus.sh builds them).

let h: Harness | undefined;
let prometheus: ManagedProcess | undefined;
after(async () => {
  await prometheus?.stop();
  await h?.stop();
});

test('prometheus and promtool are the release compose pins', () => {
  const version = pinned('PROMETHEUS_VERSION');
  for (const binary of [PROMETHEUS_BINARY, PROMTOOL_BINARY]) {
    const output = execFileSync(prometheusTool(binary), ['--version'], { encoding: 'utf8' });
    assert.match(output, new RegExp(`^\\w+, version ${version.replace(/\./g, '\\.')} `), output);
  }
});

test('promtool: the rules parse, and their unit tests (pending -> firing -> resolved) pass', () => {
  const dir = fromRoot('prometheus');
  const promtool = prometheusTool(PROMTOOL_BINARY);
  assert.match(execFileSync(promtool, ['check', 'rules', 'alert-rules.yml'], { cwd: dir, encoding: 'utf8' }), /SUCCESS: 3 rules found/);
  assert.match(execFileSync(promtool, ['test', 'rules', 'alert-rules.test.yml'], { cwd: dir, encoding: 'utf8' }), /SUCCESS/);
});

test('end to end: failing notifications fires ServiceErrorRatioHigh for notifications only; normal orders resolve it', async () => {
  h = await startHarness({ mode: 'sdk', withCollector: true });
  const restocked = await postJson(`${h.chain.url('inventory')}/inventory/restock`, { product_name: 'Mouse', quantity: 100_000 });
  assert.equal(restocked.status, 200);
  const port = await freePort();
  const collector = h.collectorPorts!;
  prometheus = prometheusProcess({
    port,
    dataDir: path.join(h.dataDir, 'prometheus'),
    collector,
    scrapeInterval: '2s',
  });
  await prometheus.start();

  // Orders at about 10 per second, with or without the fault, until `until` says stop.
  const ordersUrl = `${h.chain.ordersUrl}/orders`;
  const seen: { at: number; alerts: AlertState[] }[] = [];
  const start = performance.now();
  async function drive(baggage: string | undefined, until: (alerts: AlertState[]) => boolean, limitMs: number): Promise<AlertState[]> {
    const deadline = performance.now() + limitMs;
    while (performance.now() < deadline) {
      const answers = await Promise.all(
        Array.from({ length: 5 }, () =>
          postJson(ordersUrl, { user_id: 7, product_name: 'Mouse', quantity: 1 }, baggage ? { baggage } : {}),
        ),
      );
      assert.ok(
        answers.every((answer) => answer.status === 201),
        'a failing notification never fails the order',
      );
      await sleep(400);
      const alerts = (await activeAlerts(port)).filter((alert) => alert.labels.alertname === 'ServiceErrorRatioHigh');
      seen.push({ at: Math.round((performance.now() - start) / 1000), alerts });
      if (until(alerts)) return alerts;
    }
    throw new Error(`gave up after ${limitMs / 1000} s; alerts seen: ${JSON.stringify(seen.at(-1))}`);
  }
  const firingFor = (alerts: AlertState[]) => alerts.filter((alert) => alert.state === 'firing').map((alert) => alert.labels.service_name);

  const firing = await drive('demo.fault=notifications:error', (alerts) => firingFor(alerts).length > 0, 120_000);
  const firedAt = seen.at(-1)!.at;
  assert.deepEqual(
    firingFor(firing),
    ['notifications'],
    'only the failing service alerts: pricing answered 200 with "notification: skipped"',
  );
  assert.ok(
    seen.some(({ alerts }) => alerts.some((alert) => alert.state === 'pending')),
    'the alert is pending for its `for:` time before it fires',
  );

  await drive(undefined, (alerts) => alerts.length === 0, 150_000);
  const resolvedAt = seen.at(-1)!.at;
  console.log(
    `alerts: ServiceErrorRatioHigh{service_name="notifications"} firing ${firedAt} s after the faulted orders began; resolved ${resolvedAt - firedAt} s after they stopped`,
  );
});
