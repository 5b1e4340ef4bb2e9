import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectorIsBuilt } from '../runner/collector';
import { collectorLossCounters, type CollectorLossCounters } from '../runner/collector-metrics';
import { describeProblem, parseCommandLine, positiveNumber } from '../runner/cli';
import { sleep } from '../runner/process';
import { Arrivals } from './arrivals';
import { measureOneOrder, startStack, watchStack, type Stack } from './outage-stack';
import { SteadyLoad, LOAD_ORDER, type SentOrder } from './steady-load';
import { percentile } from './stats';
import { printTable } from './table';

// npm run outage -- [--json] [--scenarios backend-outage,collector-crash,long-outage] [--rate 20]
//                   [--outage-sec 60] [--crash-down-sec 3] [--long-outage-sec 60]
//                   [--long-queue-spans 10000] [--long-queue-log-records 5000]
//                   [--before-sec 5] [--after-sec 5]
//
// What a telemetry fault costs, measured natively with the real services, the real collector
// (its persistent queues on disk) and the real Prometheus evaluating prometheus/alert-rules.yml.
// The OTLP receiver stands where Tempo and Loki stand, behind a switch that takes them away.
// Under steady load, each scenario injects one fault:
//
//   backend-outage   Tempo and Loki are unreachable for --outage-sec, then back
//   collector-crash  kill -9 of the collector, started again --crash-down-sec later, on the same queue
//   long-outage      Tempo and Loki away for --long-outage-sec with queues of --long-queue-* items,
//                    small enough to fill: what is past the queue is lost, and must be counted and alerted
//
// Every order's telemetry is accounted for: the 201 answer names its trace, a fault-free order
// sent first tells how many spans and log records an order makes, and the receiver's records
// say what arrived.

export const SCENARIOS = ['backend-outage', 'collector-crash', 'long-outage'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface OutageOptions {
  scenarios: Scenario[];
  /** Orders per second, sent open-loop. */
  rate: number;
  beforeSec: number;
  afterSec: number;
  outageSec: number;
  crashDownSec: number;
  longOutageSec: number;
  longQueueSpans: number;
  longQueueLogRecords: number;
  /** Give up waiting for telemetry when nothing new arrived for this long. */
  quietSec: number;
  /** When the collector counted a loss, how long to wait for the alert to fire. */
  alertWaitSec: number;
}

export const DEFAULT_OPTIONS: OutageOptions = {
  scenarios: [...SCENARIOS],
  rate: 20,
  beforeSec: 5,
  afterSec: 5,
  outageSec: 60,
  crashDownSec: 3,
  longOutageSec: 60,
  longQueueSpans: 10_000,
  longQueueLogRecords: 5_000,
  quietSec: 15,
  alertWaitSec: 60,
};

/** The collector's own counters of data it refused or gave up, summed over components. */
export interface ScenarioResult {
  fault: string;
  orders: number;
  orders_failed: number;
  /** p99 latency of the orders sent while the fault lasted. */
  p99_fault_ms: number;
  p99_before_ms: number;
  spans_per_order: number;
  log_records_per_order: number;
  /** The fault-free order's spans per service: what each service's batch processor queues per order. */
  spans_per_order_by_service: Record<string, number>;
  traces_expected: number;
  traces_complete: number;
  spans_expected: number;
  spans_lost: number;
  logs_expected: number;
  logs_lost: number;
  collector: CollectorLossCounters;
  /** The most the Tempo and Loki exporters' queues held at once (otelcol_exporter_queue_size, sampled each second). */
  queue_peak: { spans: number; log_records: number };
  /** The most the queue directory (bbolt files) took on disk at once. */
  queue_disk_peak_bytes: number;
  /** From the fault's end to the last arrival of telemetry made before it ended. */
  drain_ms: number;
  alert_fired: boolean;
  /** The persistent queues' bounds in this scenario (the config's defaults when null). */
  queue_spans: number | null;
  queue_log_records: number | null;
}

/** Injects the scenario's fault; resolves when it is over (backend back, collector ready again). */
async function injectFault(scenario: Scenario, stack: Stack, options: OutageOptions): Promise<string> {
  switch (scenario) {
    case 'backend-outage':
      await stack.backend.down();
      await sleep(options.outageSec * 1000);
      await stack.backend.up();
      return `Tempo and Loki unreachable for ${options.outageSec} s`;
    case 'long-outage':
      await stack.backend.down();
      await sleep(options.longOutageSec * 1000);
      await stack.backend.up();
      return `Tempo and Loki unreachable for ${options.longOutageSec} s, queues of ${options.longQueueSpans} spans / ${options.longQueueLogRecords} log records`;
    case 'collector-crash':
      await stack.collector.kill();
      await sleep(options.crashDownSec * 1000);
      await stack.collector.start();
      return `kill -9 of the collector, started again after ${options.crashDownSec} s`;
  }
}

export async function runScenario(
  scenario: Scenario,
  options: OutageOptions,
  progress: (line: string) => void = () => undefined,
): Promise<ScenarioResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `outage-${scenario}-`));
  const queue = scenario === 'long-outage' ? { spans: options.longQueueSpans, logRecords: options.longQueueLogRecords } : {};
  const stack = await startStack(dataDir, queue);
  const alert = watchStack(stack);
  try {
    // Plenty of stock, so every order takes the same path and makes the same telemetry.
    await fetch(`${stack.chain.url('inventory')}/inventory/restock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ product_name: LOAD_ORDER.product_name, quantity: 1_000_000 }),
    });
    const arrivals = new Arrivals(stack.sink);
    const perOrder = await measureOneOrder(stack, arrivals);
    progress(`${scenario}: one order makes ${perOrder.spans} spans and ${perOrder.logs} log records; load at ${options.rate} orders/s`);

    const load = new SteadyLoad(stack.chain.ordersUrl, options.rate);
    load.start();
    await sleep(options.beforeSec * 1000);
    const faultStart = Date.now();
    progress(`${scenario}: fault starts`);
    const fault = await injectFault(scenario, stack, options);
    const faultEnd = Date.now();
    progress(`${scenario}: fault over after ${((faultEnd - faultStart) / 1000).toFixed(1)} s; draining`);

    // From the fault's end: when did the last of the telemetry made before it arrive?
    const missing = (orders: SentOrder[]) =>
      orders.reduce(
        (total, order) =>
          total +
          Math.max(0, perOrder.spans - arrivals.spanCount(order.traceId!)) +
          Math.max(0, perOrder.logs - arrivals.logCount(order.traceId!)),
        0,
      );
    const answered = () => load.orders.filter((order) => order.status === 201 && order.traceId);
    let lastDrainProgress = faultEnd;
    let missingBefore = Infinity;
    const drainWatch = setInterval(() => {
      arrivals.refresh();
      const now = missing(answered().filter((order) => order.startedAt <= faultEnd));
      if (now < missingBefore) lastDrainProgress = Date.now();
      missingBefore = now;
    }, 250);

    await sleep(options.afterSec * 1000);
    await load.stop();
    // Wait until everything arrived, or nothing more has for quietSec.
    let lastMissing = Infinity;
    let lastChange = Date.now();
    for (;;) {
      arrivals.refresh();
      const now = missing(answered());
      if (now < lastMissing) {
        lastMissing = now;
        lastChange = Date.now();
      }
      if (now === 0 || Date.now() - lastChange > options.quietSec * 1000) break;
      await sleep(250);
    }
    clearInterval(drainWatch);

    const collector = await collectorLossCounters(stack.collectorPorts.internalMetrics);
    const collectorCountedLoss = Object.values(collector).some((count) => count > 0);
    // The alert's inputs are exactly these counters: with all at zero it cannot fire, and
    // when one moved, Prometheus needs the rule's `for` to say so.
    if (collectorCountedLoss) {
      const deadline = Date.now() + options.alertWaitSec * 1000;
      while (!alert.fired() && Date.now() < deadline) await sleep(500);
    } else {
      await sleep(3000); // one more evaluation round after the last scrape
    }

    arrivals.refresh();
    const ok = answered();
    const during = load.orders.filter((order) => order.startedAt >= faultStart && order.startedAt <= faultEnd);
    const before = load.orders.filter((order) => order.startedAt < faultStart);
    const spansLost = ok.reduce((total, order) => total + Math.max(0, perOrder.spans - arrivals.spanCount(order.traceId!)), 0);
    const logsLost = ok.reduce((total, order) => total + Math.max(0, perOrder.logs - arrivals.logCount(order.traceId!)), 0);
    return {
      fault,
      orders: load.orders.length,
      orders_failed: load.orders.length - ok.length,
      p99_fault_ms: round(
        percentile(
          during.map((order) => order.latencyMs),
          99,
        ),
      ),
      p99_before_ms: round(
        percentile(
          before.map((order) => order.latencyMs),
          99,
        ),
      ),
      spans_per_order: perOrder.spans,
      log_records_per_order: perOrder.logs,
      spans_per_order_by_service: perOrder.byService,
      traces_expected: ok.length,
      traces_complete: ok.filter((order) => arrivals.spanCount(order.traceId!) >= perOrder.spans).length,
      spans_expected: ok.length * perOrder.spans,
      spans_lost: spansLost,
      logs_expected: ok.length * perOrder.logs,
      logs_lost: logsLost,
      collector,
      queue_peak: { spans: alert.queuePeak.spans, log_records: alert.queuePeak.log_records },
      queue_disk_peak_bytes: alert.queuePeak.bytes,
      drain_ms: Math.max(0, lastDrainProgress - faultEnd),
      alert_fired: alert.fired(),
      queue_spans: queue.spans ?? null,
      queue_log_records: queue.logRecords ?? null,
    };
  } finally {
    alert.stop();
    await stack.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;

export async function runOutage(options: OutageOptions, progress?: (line: string) => void): Promise<Record<string, ScenarioResult>> {
  if (!collectorIsBuilt()) throw new Error('the collector is not built: run bash scripts/setup-collector.sh');
  const results: Record<string, ScenarioResult> = {};
  for (const scenario of options.scenarios) results[scenario] = await runScenario(scenario, options, progress);
  return results;
}

const COMMAND_LINE = {
  json: { type: 'boolean' },
  scenarios: { type: 'string' },
  rate: { type: 'string' },
  'before-sec': { type: 'string' },
  'after-sec': { type: 'string' },
  'outage-sec': { type: 'string' },
  'crash-down-sec': { type: 'string' },
  'long-outage-sec': { type: 'string' },
  'long-queue-spans': { type: 'string' },
  'long-queue-log-records': { type: 'string' },
  'quiet-sec': { type: 'string' },
  'alert-wait-sec': { type: 'string' },
} as const;

function parseOptions(argv: string[]): OutageOptions & { json: boolean } {
  const parsed = parseCommandLine(argv, COMMAND_LINE);
  if (!parsed.ok) throw new Error(describeProblem(parsed.problem));
  const { values } = parsed;
  const number = (name: keyof typeof COMMAND_LINE, fallback: number) => positiveNumber(values, name, fallback);
  const scenarios =
    typeof values.scenarios === 'string' ? values.scenarios.split(',').map((name) => name.trim()) : DEFAULT_OPTIONS.scenarios;
  for (const name of scenarios) {
    if (!(SCENARIOS as readonly string[]).includes(name))
      throw new Error(`unknown scenario "${name}": choose from ${SCENARIOS.join(', ')}`);
  }
  return {
    json: values.json === true,
    scenarios: scenarios as Scenario[],
    rate: number('rate', DEFAULT_OPTIONS.rate),
    beforeSec: number('before-sec', DEFAULT_OPTIONS.beforeSec),
    afterSec: number('after-sec', DEFAULT_OPTIONS.afterSec),
    outageSec: number('outage-sec', DEFAULT_OPTIONS.outageSec),
    crashDownSec: number('crash-down-sec', DEFAULT_OPTIONS.crashDownSec),
    longOutageSec: number('long-outage-sec', DEFAULT_OPTIONS.longOutageSec),
    longQueueSpans: Math.round(number('long-queue-spans', DEFAULT_OPTIONS.longQueueSpans)),
    longQueueLogRecords: Math.round(number('long-queue-log-records', DEFAULT_OPTIONS.longQueueLogRecords)),
    quietSec: number('quiet-sec', DEFAULT_OPTIONS.quietSec),
    alertWaitSec: number('alert-wait-sec', DEFAULT_OPTIONS.alertWaitSec),
  };
}

function printResults(results: Record<string, ScenarioResult>): void {
  const header = [
    'scenario',
    'orders',
    'failed',
    'p99 before',
    'p99 fault',
    'traces complete',
    'spans lost',
    'logs lost',
    'collector refused/enqueue-failed/send-failed',
    'drain',
    'alert',
  ];
  const rows = Object.entries(results).map(([name, r]) => [
    name,
    String(r.orders),
    String(r.orders_failed),
    `${r.p99_before_ms} ms`,
    `${r.p99_fault_ms} ms`,
    `${r.traces_complete}/${r.traces_expected}`,
    `${r.spans_lost}/${r.spans_expected}`,
    `${r.logs_lost}/${r.logs_expected}`,
    [
      r.collector.refused_spans + r.collector.refused_log_records,
      r.collector.enqueue_failed_spans + r.collector.enqueue_failed_log_records,
      r.collector.send_failed_spans + r.collector.send_failed_log_records,
    ].join('/'),
    `${(r.drain_ms / 1000).toFixed(1)} s`,
    r.alert_fired ? 'fired' : 'silent',
  ]);
  printTable(header, rows);
  for (const [name, r] of Object.entries(results))
    console.log(`${name}: ${r.fault}; ${r.spans_per_order} spans and ${r.log_records_per_order} log records per order`);
}

async function main(): Promise<void> {
  const { json, ...options } = parseOptions(process.argv.slice(2));
  const results = await runOutage(options, json ? undefined : (line) => console.log(line));
  if (json) console.log(JSON.stringify(results));
  else printResults(results);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`outage: ${(error as Error).message}`);
    process.exit(1);
  });
}
