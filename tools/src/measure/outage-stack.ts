import fs from 'node:fs';
import path from 'node:path';
import { startChain, type Chain } from '../runner/chain';
import { collectorProcess, type CollectorPorts } from '../runner/collector';
import { exporterQueueSizes } from '../runner/collector-metrics';
import { activeAlerts, prometheusProcess } from '../runner/prometheus';
import { CHAIN_PORT_NAMES, freePorts } from '../runner/ports';
import { sleep, type ManagedProcess } from '../runner/process';
import { OtlpSink } from '../tempo-stand-in/otlp-sink';
import { type Arrivals } from './arrivals';
import { OutageSwitch } from './outage-switch';
import { LOAD_ORDER } from './steady-load';

// What `npm run outage` runs each scenario on, and watches while it does: the chain in sdk
// mode, the real collector with its persistent queues, the real Prometheus evaluating
// prometheus/alert-rules.yml, and the OTLP receiver (Tempo and Loki) behind a switch.

/** The alert that says the collector is losing telemetry (prometheus/alert-rules.yml). */
export const ALERT = 'CollectorLosingTelemetry';

/** The stack one scenario runs on: the chain, the collector, Prometheus, and the receiver behind its switch. */
export interface Stack {
  queueDir: string;
  chain: Chain;
  sink: OtlpSink;
  backend: OutageSwitch;
  collector: ManagedProcess;
  collectorPorts: CollectorPorts;
  prometheusPort: number;
  stop(): Promise<void>;
}

export async function startStack(dataDir: string, queue: { spans?: number; logRecords?: number }): Promise<Stack> {
  const ports = await freePorts([...CHAIN_PORT_NAMES, 'prometheusServer'] as const);
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch(() => undefined);
  };
  try {
    const sink = await OtlpSink.start();
    stops.push(() => sink.close());
    const backend = await OutageSwitch.open(sink.url);
    stops.push(() => backend.down());
    const collector = collectorProcess({
      ports,
      exportTo: backend.url,
      logFile: path.join(dataDir, 'otel-collector.log'),
      // One directory for the collector and its successor after a crash: the queue outlives the process.
      queueDir: path.join(dataDir, 'collector-queue'),
      queueSpans: queue.spans,
      queueLogRecords: queue.logRecords,
    });
    await collector.start();
    stops.push(() => collector.stop());
    const prometheus = prometheusProcess({
      port: ports.prometheusServer,
      dataDir: path.join(dataDir, 'prometheus'),
      collector: ports,
      scrapeInterval: '1s',
    });
    await prometheus.start();
    stops.push(() => prometheus.stop());
    const chain = await startChain({ mode: 'sdk', ports, dataDir, logDir: dataDir, otlpEndpoint: `http://127.0.0.1:${ports.grpc}` });
    stops.push(() => chain.stop());
    return {
      queueDir: path.join(dataDir, 'collector-queue'),
      chain,
      sink,
      backend,
      collector,
      collectorPorts: ports,
      prometheusPort: ports.prometheusServer,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function postOrder(ordersUrl: string): Promise<string> {
  const response = await fetch(`${ordersUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(LOAD_ORDER),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await response.json()) as { trace_id?: string };
  if (response.status !== 201 || !body.trace_id)
    throw new Error(`the fault-free order was answered ${response.status}: ${JSON.stringify(body)}`);
  return body.trace_id;
}

/** How many spans and log records one order makes in this mode, from an order sent with nothing wrong. */
export async function measureOneOrder(
  stack: Stack,
  arrivals: Arrivals,
): Promise<{ spans: number; logs: number; byService: Record<string, number> }> {
  const traceId = await postOrder(stack.chain.ordersUrl);
  let last = { spans: -1, logs: -1 };
  let stableSince = Date.now();
  // The stack's first order: on a busy machine its first exports wait for gRPC connections
  // and the collector's first batches, so allow a minute before calling it lost.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    await sleep(250);
    arrivals.refresh();
    const now = { spans: arrivals.spanCount(traceId), logs: arrivals.logCount(traceId) };
    if (now.spans !== last.spans || now.logs !== last.logs) {
      last = now;
      stableSince = Date.now();
    } else if (now.spans > 0 && Date.now() - stableSince > 3000) {
      const byService: Record<string, number> = {};
      for (const span of new Map(stack.sink.spansOfTrace(traceId).map((span) => [span.spanId, span])).values())
        byService[span.service] = (byService[span.service] ?? 0) + 1;
      return { ...now, byService };
    }
  }
  throw new Error(
    `the fault-free order's telemetry did not settle in 60 s (trace ${traceId}: ${last.spans} spans, ${last.logs} log records)`,
  );
}

function directoryBytes(dir: string): number {
  try {
    return fs.readdirSync(dir).reduce((total, file) => total + fs.statSync(path.join(dir, file)).size, 0);
  } catch {
    return 0; // compaction swaps files in and out
  }
}

/** Watches, once a second in the background, Prometheus for the alert and the collector for its queues' fill. */
export function watchStack(stack: Stack): {
  fired: () => boolean;
  queuePeak: { spans: number; log_records: number; bytes: number };
  stop: () => void;
} {
  let fired = false;
  const queuePeak = { spans: 0, log_records: 0, bytes: 0 };
  const timer = setInterval(() => {
    // A missed poll (the collector is down in collector-crash) is made up by the next one.
    activeAlerts(stack.prometheusPort)
      .then((alerts) => {
        if (alerts.some((alert) => alert.labels.alertname === ALERT && alert.state === 'firing')) fired = true;
      })
      .catch(() => undefined);
    exporterQueueSizes(stack.collectorPorts.internalMetrics)
      .then((sizes) => {
        queuePeak.spans = Math.max(queuePeak.spans, sizes.spans);
        queuePeak.log_records = Math.max(queuePeak.log_records, sizes.log_records);
      })
      .catch(() => undefined);
    queuePeak.bytes = Math.max(queuePeak.bytes, directoryBytes(stack.queueDir));
  }, 1000);
  return { fired: () => fired, queuePeak, stop: () => clearInterval(timer) };
}
