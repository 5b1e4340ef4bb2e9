import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Arrivals, SteadyLoad, LOAD_ORDER, percentile, sleep, waitFor, type LogRecord, type SentOrder, type SpanRecord } from '@demo/tools';
import { mustRun } from './commands';

// Nothing lost, in containers (docs/resilience.md): the backend-outage and collector-crash
// scenarios of `npm run outage`, run on the compose stack under the real engine. Called by
// tests/src/integration/compose-stack.test.ts with the sdk stack up.
//
//   backend-outage   `docker compose stop tempo loki` (the receiver stand-ins), 10 s, start
//   collector-crash  SIGKILL of the collector's process; its restart policy brings it back,
//                    on the same queue volume
//
// The stand-ins keep what they received in memory, which a stop clears: what they hold is
// read (GET /stand-in/spans and /stand-in/logs) before they stop and again at the end. So that
// nothing arrives between that read and the stop, the load pauses until the receivers are
// quiet, then goes on through the outage.

export interface ComposeStack {
  host: string;
  /** `docker compose -f <file> -f <override> ...` */
  compose: (...args: string[]) => string;
  containerId: (service: string) => string;
}

export interface ComposeOutageResult {
  orders: number;
  orders_failed: number;
  /** How long the fault lasted: for collector-crash, from the kill until Docker had it running again. */
  fault_ms: number;
  p99_fault_ms: number;
  traces_complete: number;
  traces_expected: number;
  spans_lost: number;
  logs_lost: number;
  collector_counted: Record<string, number>;
  alert: string;
}

const RATE = 20;
const OUTAGE_SEC = 10;

/** Everything the two receivers got, gathered across their restarts. */
class Received {
  readonly spans: SpanRecord[] = [];
  readonly logs: LogRecord[] = [];
  readonly arrivals = new Arrivals(this);
  private takenSpans = 0;
  private takenLogs = 0;

  constructor(private readonly host: string) {}

  /** The stand-ins were restarted with empty memory: the next read takes all they hold. */
  markRestarted(): void {
    this.takenSpans = this.takenLogs = 0;
  }

  /** Takes in what the stand-ins received since the last read. */
  async read(): Promise<void> {
    const get = async <T>(url: string) => (await (await fetch(url, { signal: AbortSignal.timeout(20_000) })).json()) as T[];
    const spans = await get<SpanRecord>(`http://${this.host}:3200/stand-in/spans`);
    const logs = await get<LogRecord>(`http://${this.host}:3100/stand-in/logs`);
    this.spans.push(...spans.slice(this.takenSpans));
    this.logs.push(...logs.slice(this.takenLogs));
    this.takenSpans = spans.length;
    this.takenLogs = logs.length;
    this.arrivals.refresh();
  }
}

async function prometheusValue(host: string, promql: string): Promise<number> {
  const body = (await (await fetch(`http://${host}:9090/api/v1/query?query=${encodeURIComponent(promql)}`)).json()) as {
    data: { result: { value: [number, string] }[] };
  };
  return body.data.result.reduce((total, series) => total + Number(series.value[1]), 0);
}

async function alertState(host: string): Promise<string> {
  const body = (await (await fetch(`http://${host}:9090/api/v1/alerts`)).json()) as {
    data: { alerts: { labels: Record<string, string>; state: string }[] };
  };
  return body.data.alerts.find((alert) => alert.labels.alertname === 'CollectorLosingTelemetry')?.state ?? 'inactive';
}

/** Waits until the stand-ins have received nothing new for 3 s. */
async function waitForQuiet(received: Received): Promise<void> {
  let count = -1;
  let since = Date.now();
  await waitFor(
    async () => {
      await received.read();
      const now = received.spans.length + received.logs.length;
      if (now !== count) [count, since] = [now, Date.now()];
      return Date.now() - since >= 3000;
    },
    60_000,
    'the receivers quiet',
  );
}

/**
 * `pauseBeforeFault`: stop the load and let the receivers go quiet before the fault, which
 * calls `resumeLoad` once the stand-ins are down (they forget what they hold when they stop,
 * so all of it must have been read, and nothing may arrive between that read and the stop).
 */
async function runScenario(
  stack: ComposeStack,
  fault: (received: Received, resumeLoad: () => void) => Promise<void>,
  pauseBeforeFault = false,
): Promise<ComposeOutageResult> {
  const { host } = stack;
  const received = new Received(host);
  const ordersUrl = `http://${host}:8000`;
  // Stock for every order, through inventory's own container (its port is not published).
  mustRun('docker', [
    'exec',
    stack.containerId('inventory'),
    'node',
    '-e',
    `fetch('http://127.0.0.1:3001/inventory/restock',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({product_name:'${LOAD_ORDER.product_name}',quantity:1000000})}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
  ]);

  // One fault-free order: how many spans and log records an order makes here.
  const first = await fetch(`${ordersUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(LOAD_ORDER),
  });
  const traceId = ((await first.json()) as { trace_id: string }).trace_id;
  assert.equal(first.status, 201);
  let perOrder = { spans: 0, logs: 0 };
  await waitFor(
    async () => {
      await received.read();
      const now = { spans: received.arrivals.spanCount(traceId), logs: received.arrivals.logCount(traceId) };
      const settled = now.spans > 0 && now.spans === perOrder.spans && now.logs === perOrder.logs;
      perOrder = now;
      return settled;
    },
    60_000,
    "the fault-free order's telemetry settled",
  );

  const loads = [new SteadyLoad(ordersUrl, RATE)];
  loads[0]!.start();
  await sleep(3000);
  const resumeLoad = () => {
    loads.push(new SteadyLoad(ordersUrl, RATE));
    loads[loads.length - 1]!.start();
  };
  if (pauseBeforeFault) {
    await loads[0]!.stop();
    await waitForQuiet(received);
  }
  const faultStart = Date.now();
  await fault(received, pauseBeforeFault ? resumeLoad : () => undefined);
  const faultEnd = Date.now();
  await sleep(3000);
  for (const load of loads) await load.stop();
  const load = { orders: loads.flatMap((each) => each.orders) };

  const ok = () => load.orders.filter((order) => order.status === 201 && order.traceId);
  const missing = (orders: SentOrder[]) =>
    orders.reduce(
      (total, order) =>
        total +
        Math.max(0, perOrder.spans - received.arrivals.spanCount(order.traceId!)) +
        Math.max(0, perOrder.logs - received.arrivals.logCount(order.traceId!)),
      0,
    );
  let last = Infinity;
  let lastChange = Date.now();
  for (;;) {
    await received.read();
    const now = missing(ok());
    if (now < last) [last, lastChange] = [now, Date.now()];
    if (now === 0 || Date.now() - lastChange > 20_000) break;
    await sleep(1000);
  }

  const counters = [
    'otelcol_receiver_refused_spans',
    'otelcol_receiver_refused_log_records',
    'otelcol_exporter_enqueue_failed_spans',
    'otelcol_exporter_enqueue_failed_log_records',
    'otelcol_exporter_send_failed_spans',
    'otelcol_exporter_send_failed_log_records',
  ];
  const collectorCounted: Record<string, number> = {};
  for (const name of counters) collectorCounted[name] = await prometheusValue(host, `sum(max_over_time(${name}[10m]))`);
  const answered = ok();
  const during = load.orders.filter((order) => order.startedAt >= faultStart && order.startedAt <= faultEnd);
  return {
    orders: load.orders.length,
    orders_failed: load.orders.length - answered.length,
    fault_ms: faultEnd - faultStart,
    p99_fault_ms: Math.round(
      percentile(
        during.map((order) => order.latencyMs),
        99,
      ),
    ),
    traces_complete: answered.filter((order) => received.arrivals.spanCount(order.traceId!) >= perOrder.spans).length,
    traces_expected: answered.length,
    spans_lost: answered.reduce((total, order) => total + Math.max(0, perOrder.spans - received.arrivals.spanCount(order.traceId!)), 0),
    logs_lost: answered.reduce((total, order) => total + Math.max(0, perOrder.logs - received.arrivals.logCount(order.traceId!)), 0),
    collector_counted: collectorCounted,
    alert: await alertState(host),
  };
}

/** backend-outage: the receiver stand-ins stopped for 10 s under load, then started again. */
export async function composeBackendOutage(stack: ComposeStack): Promise<ComposeOutageResult> {
  return runScenario(
    stack,
    async (received, resumeLoad) => {
      stack.compose('stop', 'tempo', 'loki');
      resumeLoad();
      await sleep(OUTAGE_SEC * 1000);
      stack.compose('start', 'tempo', 'loki');
      await waitFor(
        async () => (await fetch(`http://${stack.host}:3200/ready`).catch(() => undefined))?.ok,
        60_000,
        'the Tempo stand-in back',
      );
      await waitFor(
        async () => (await fetch(`http://${stack.host}:3100/ready`).catch(() => undefined))?.ok,
        60_000,
        'the Loki stand-in back',
      );
      received.markRestarted();
    },
    true,
  );
}

/** collector-crash: SIGKILL of the collector's process; Docker's restart policy brings it back on the same queue volume. */
export async function composeCollectorCrash(stack: ComposeStack): Promise<ComposeOutageResult> {
  return runScenario(stack, async () => {
    const id = stack.containerId('otel-collector');
    const restartsBefore = Number(mustRun('docker', ['inspect', '--format', '{{.RestartCount}}', id]).trim());
    const pid = mustRun('docker', ['inspect', '--format', '{{.State.Pid}}', id]).trim();
    assert.ok(fs.existsSync(`/proc/${pid}`), 'the collector process');
    process.kill(Number(pid), 'SIGKILL');
    await waitFor(
      () =>
        Number(mustRun('docker', ['inspect', '--format', '{{.RestartCount}}', id]).trim()) > restartsBefore &&
        mustRun('docker', ['inspect', '--format', '{{.State.Running}}', id]).trim() === 'true',
      60_000,
      'the collector restarted by Docker',
    );
  });
}
