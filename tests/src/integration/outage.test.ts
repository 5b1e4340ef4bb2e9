import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DEFAULT_OPTIONS, fromRoot, runScenario, type OutageOptions, type ScenarioResult } from '@demo/tools';

const execFileAsync = promisify(execFile);

// Nothing lost (docs/resilience.md): the three scenarios of `npm run outage`, with shorter
// windows, against the real services, the real collector with its disk queues, and the real
// Prometheus evaluating prometheus/alert-rules.yml. Every order's spans and log records are
// looked for at the receiver that stands where Tempo and Loki stand.

const SHORT: OutageOptions = {
  ...DEFAULT_OPTIONS,
  rate: 20,
  beforeSec: 3,
  afterSec: 3,
  outageSec: 10,
  crashDownSec: 3,
  // Queues of about 4 s of spans and 10 s of log records at 20 orders/s, so that a 45 s
  // outage outlasts them by more than the alert's `for: 30s`.
  longOutageSec: 45,
  longQueueSpans: 2000,
  longQueueLogRecords: 1000,
  quietSec: 12,
  alertWaitSec: 60,
};

function describe(result: ScenarioResult): string {
  return JSON.stringify(result);
}

function assertOrdersUnharmed(result: ScenarioResult): void {
  // Telemetry never fails an order: every order sent during the fault was answered 201.
  assert.ok(result.orders >= SHORT.rate * (SHORT.beforeSec + SHORT.afterSec), describe(result));
  assert.equal(result.orders_failed, 0, describe(result));
  assert.ok(
    result.spans_per_order >= 10 && result.log_records_per_order >= 1,
    `a fault-free order makes the chain's spans and logs: ${describe(result)}`,
  );
}

test('backend-outage: Tempo and Loki away for 10 s under 20 orders/s: every span and log record arrives afterwards, the alert stays silent', async () => {
  const result = await runScenario('backend-outage', SHORT);
  assertOrdersUnharmed(result);
  assert.equal(result.spans_lost, 0, describe(result));
  assert.equal(result.logs_lost, 0, describe(result));
  assert.equal(result.traces_complete, result.traces_expected, describe(result));
  // The outage really happened: the exporters' disk queues held the data meanwhile.
  assert.ok(result.queue_peak.spans > 0 && result.queue_peak.log_records > 0, describe(result));
  assert.deepEqual(Object.values(result.collector), [0, 0, 0, 0, 0, 0], describe(result));
  assert.equal(result.alert_fired, false, describe(result));
});

test('collector-crash, through `npm run -s outage -- --json` as docs/resilience.md gives it: kill -9 of the collector, back 3 s later: every span and log record arrives, the alert stays silent', async () => {
  const args = [
    'run',
    '-s',
    'outage',
    '--',
    '--json',
    '--scenarios',
    'collector-crash',
    '--rate',
    String(SHORT.rate),
    '--before-sec',
    String(SHORT.beforeSec),
    '--after-sec',
    String(SHORT.afterSec),
    '--crash-down-sec',
    String(SHORT.crashDownSec),
    '--quiet-sec',
    String(SHORT.quietSec),
    '--alert-wait-sec',
    String(SHORT.alertWaitSec),
  ];
  const { stdout } = await execFileAsync('npm', args, { cwd: fromRoot(), maxBuffer: 16 * 1024 * 1024 });
  const report = JSON.parse(stdout) as Record<string, ScenarioResult>;
  assert.deepEqual(Object.keys(report), ['collector-crash'], stdout);
  const result = report['collector-crash']!;
  for (const field of ['orders', 'orders_failed', 'spans_lost', 'logs_lost', 'alert_fired'])
    assert.ok(field in result, `--json has no ${field}: ${stdout}`);
  assertOrdersUnharmed(result);
  assert.equal(result.spans_lost, 0, describe(result));
  assert.equal(result.logs_lost, 0, describe(result));
  assert.equal(result.traces_complete, result.traces_expected, describe(result));
  assert.deepEqual(Object.values(result.collector), [0, 0, 0, 0, 0, 0], describe(result));
  assert.equal(result.alert_fired, false, describe(result));
});

test('long-outage: an outage longer than the queues hold loses a bounded, counted part, and CollectorLosingTelemetry fires', async () => {
  const result = await runScenario('long-outage', SHORT);
  assertOrdersUnharmed(result);
  // The queues filled to their bounds...
  assert.ok(result.queue_peak.spans >= SHORT.longQueueSpans * 0.9, describe(result));
  // ...then the collector refused what did not fit, and counted it.
  assert.ok(result.collector.refused_spans > 0 && result.collector.enqueue_failed_spans > 0, describe(result));
  // Something was lost, but far from all: the queues and the SDKs' own buffers kept the rest.
  assert.ok(result.spans_lost > 0, describe(result));
  const spansDuringOutage = SHORT.rate * SHORT.longOutageSec * result.spans_per_order;
  assert.ok(result.spans_lost < spansDuringOutage - SHORT.longQueueSpans, describe(result));
  assert.ok(result.logs_lost < SHORT.rate * SHORT.longOutageSec * result.log_records_per_order, describe(result));
  assert.ok(result.traces_complete < result.traces_expected, describe(result));
  assert.equal(result.alert_fired, true, describe(result));
});
