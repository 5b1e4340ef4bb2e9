import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify, type ParseArgsOptionsConfig } from 'node:util';
import { startChain, NODE_HEAP_FLAGS, SERVICES, type Chain } from './chain';
import { collectorIsBuilt, collectorProcess } from './collector';
import { envoyIsInstalled } from './envoy';
import { OtlpSink } from './otlp-sink';
import { CHAIN_PORT_NAMES, freePorts } from './ports';
import { ManagedProcess } from './process';
import { fromRoot } from './paths';
import type { DriverResult } from './bench-driver';
import type { Mode } from './modes';
import { printProfileSummary } from './cpu-profile';
import { parseCommandLine, type ParsedValue } from './cli';

// npm run bench -- [--duration 20] [--warmup 5] [--concurrency 32] [--configs limit,off,sdk,sdk-head-10,sdk-tail,envoy,...]
//                  [--env OTEL_LOGS_EXPORTER=none]   (extra environment for the services; repeatable)
//                  [--cpu-prof]                      (a V8 CPU profile per service, summarised by package)
//
// What each instrumentation mode costs, measured side by side in one run on this machine:
// the chain runs natively in each configuration in turn, a separate load process drives
// POST /orders (closed loop, fixed concurrency, after a warm-up), and the table shows
// throughput, latency percentiles, errors and the peak memory of each service. A benchmark,
// not a test: it asserts nothing about speed.

// Each configuration: a mode of the chain, plus sampling settings where it is a sampling row.
const HEAD_10_PERCENT = { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' };
// The levers against the SDK's cost (docs/benchmarks-levers.md). `sdk` runs the defaults, every
// lever chosen; `sdk-before` turns them back, and each `sdk-lever-*` row adds one to sdk-before.
const LOGS_FROM_MAIN_THREAD = { LOG_SHIPPING: 'main-thread' }; // instrumentation-pino ships them (default)
const LOGS_FROM_WORKER = { LOG_SHIPPING: 'worker' }; // a worker thread ships them, in batches
const CLIENT_METRICS = { SDK_HTTP_CLIENT_METRICS: 'true' }; // undici's http.client.request.duration
const BEFORE = { ...LOGS_FROM_MAIN_THREAD, ...CLIENT_METRICS };
// Fewer, larger span exports: 2048 spans or 5 s per batch (the SDK's default delay) instead of 512 or 1 s.
const LARGER_SPAN_BATCHES = { OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '2048', OTEL_BSP_SCHEDULE_DELAY: '5000', OTEL_BSP_MAX_QUEUE_SIZE: '8192' };
const CONFIGS = {
  limit: { mode: undefined },
  off: { mode: 'off' },
  sdk: { mode: 'sdk' },
  'sdk-head-10': { mode: 'sdk', env: HEAD_10_PERCENT }, // head sampling: 10 % of traces recorded
  'sdk-always-off': { mode: 'sdk', env: { OTEL_TRACES_SAMPLER: 'always_off' } }, // no span recorded at all
  'sdk-tail': { mode: 'sdk', tailSampling: true }, // everything recorded; the collector keeps some
  'sdk-before': { mode: 'sdk', env: BEFORE }, // the defaults before the levers
  'sdk-lever-logs-worker': { mode: 'sdk', env: { ...BEFORE, ...LOGS_FROM_WORKER } }, // only: logs shipped from a worker thread, in batches
  'sdk-lever-logs-pino-transport': { mode: 'sdk', env: { ...BEFORE, LOG_SHIPPING: 'pino-transport' } }, // only: through pino's transport
  'sdk-lever-no-client-metrics': { mode: 'sdk', env: LOGS_FROM_MAIN_THREAD }, // only: no client duration histogram (the default now)
  'sdk-logs-worker': { mode: 'sdk', env: LOGS_FROM_WORKER }, // the defaults plus logs from a worker thread
  'sdk-lever-span-batches': { mode: 'sdk', env: { ...BEFORE, ...LARGER_SPAN_BATCHES } }, // only: larger span batches
  'sdk-span-batches': { mode: 'sdk', env: LARGER_SPAN_BATCHES }, // the defaults plus larger span batches
  // Not adoptable, for where the rest goes: one signal's recording and export off entirely.
  'sdk-no-metrics': { mode: 'sdk', env: { OTEL_METRICS_EXPORTER: 'none' } },
  'sdk-no-logs': { mode: 'sdk', env: { OTEL_LOGS_EXPORTER: 'none' } },
  // What the framework spans cost: Express and Fastify left unpatched (the trace then loses them).
  'sdk-no-framework-spans': { mode: 'sdk', env: { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'express,fastify' } },
  envoy: { mode: 'envoy' },
  'envoy-propagation': { mode: 'envoy-propagation' },
} satisfies Record<string, { mode: Mode | undefined; env?: Record<string, string>; tailSampling?: boolean }>;
type Config = keyof typeof CONFIGS;
const ALL_CONFIGS = Object.keys(CONFIGS) as Config[];
const DEFAULT_CONFIGS: Config[] = ['limit', 'off', 'sdk', 'sdk-head-10', 'sdk-tail', 'envoy', 'envoy-propagation'];
const ORDER = JSON.stringify({ user_id: 1001, product_name: 'Mouse', quantity: 1 });

interface Options {
  durationSec: number;
  warmupSec: number;
  concurrency: number;
  configs: Config[];
  /** Extra environment for the four services, e.g. to measure one telemetry signal at a time. */
  env: Record<string, string>;
  /** Write a CPU profile per service and print where its time went, by package. */
  cpuProf: boolean;
}

interface ConfigResult extends DriverResult {
  config: Config;
  /** Peak resident memory (VmHWM) per process, in MB. */
  peakRssMb: Record<string, number>;
  /**
   * CPU time per request, in ms, per process (warm-up included): where the two cores go.
   * "load" is the load process; "sink" is this process, which also stands in for Tempo and Loki.
   */
  cpuMsPerRequest: Record<string, number>;
}

const COMMAND_LINE = {
  duration: { type: 'string' },
  warmup: { type: 'string' },
  concurrency: { type: 'string' },
  configs: { type: 'string' },
  env: { type: 'string', multiple: true },
  'cpu-prof': { type: 'boolean' },
} satisfies ParseArgsOptionsConfig;

function readOptions(argv: string[]): Options {
  const parsed = parseCommandLine(argv, COMMAND_LINE);
  if (!parsed.ok) {
    const { kind, argument } = parsed.problem;
    if (kind === 'unknown') throw new Error(`unknown option ${argument}`);
    throw new Error(kind === 'needs-value' ? `${argument} needs a value` : `${argument} takes no value`);
  }
  const { values } = parsed;
  const number = (value: ParsedValue, fallback: number) => (typeof value === 'string' ? Number(value) : fallback);
  const options: Options = {
    durationSec: number(values.duration, 20),
    warmupSec: number(values.warmup, 5),
    concurrency: number(values.concurrency, 32),
    configs: typeof values.configs === 'string' ? (values.configs.split(',') as Config[]) : DEFAULT_CONFIGS,
    env: {},
    cpuProf: values['cpu-prof'] === true,
  };
  for (const pair of Array.isArray(values.env) ? values.env : []) {
    const [key, ...rest] = String(pair).split('=');
    options.env[key!] = rest.join('=');
  }
  for (const config of options.configs) if (!ALL_CONFIGS.includes(config)) throw new Error(`unknown config "${config}"`);
  if (!(options.durationSec > 0 && options.warmupSec >= 0 && options.concurrency > 0))
    throw new Error('duration, warmup and concurrency must be positive numbers');
  return options;
}

/** User + system CPU a process has used so far, in ms (from /proc/<pid>/stat, in clock ticks of 10 ms). */
function cpuMs(pid: number | undefined): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * Drives the load and shares out the CPU every process used while it ran, per request.
 * With an in-process sink, this process's own CPU is counted too, as "sink".
 */
async function driveAndAccount(
  url: string,
  options: Options,
  processes: ManagedProcess[],
  sinkInProcess: boolean,
): Promise<DriverResult & { cpuMsPerRequest: Record<string, number> }> {
  const before = processes.map((p) => cpuMs(p.pid));
  const selfBefore = process.cpuUsage();
  const result = await drive(url, options);
  const self = process.cpuUsage(selfBefore);
  const perRequest = (ms: number) => Math.round((100 * ms) / Math.max(1, result.allRequests)) / 100;
  const cpuMsPerRequest: Record<string, number> = {};
  processes.forEach((p, i) => (cpuMsPerRequest[p.name] = perRequest(cpuMs(p.pid) - before[i]!)));
  cpuMsPerRequest.load = perRequest(result.driverCpuMs);
  if (sinkInProcess) cpuMsPerRequest.sink = perRequest((self.user + self.system) / 1000);
  return { ...result, cpuMsPerRequest };
}

function peakRssMb(process: ManagedProcess): number {
  const status = fs.readFileSync(`/proc/${process.pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/**
 * Runs the load process and waits for its result without blocking this process: the
 * services' log output flows through pipes this process reads, and a blocked reader would
 * stall every service that logs.
 */
async function drive(url: string, options: Options): Promise<DriverResult> {
  const driver = fromRoot('tools', 'dist', 'bench-driver.js');
  const args = JSON.stringify({
    url,
    body: ORDER,
    concurrency: options.concurrency,
    warmupSec: options.warmupSec,
    durationSec: options.durationSec,
  });
  const { stdout } = await promisify(execFile)(process.execPath, [driver, args], { encoding: 'utf8' });
  return JSON.parse(stdout) as DriverResult;
}

/** Four bare forwarding hops on the chain's ports: the networking-only ceiling. */
async function startLimitChain(ports: number[]): Promise<ManagedProcess[]> {
  const hops = ports.map(
    (port, i) =>
      new ManagedProcess({
        name: `hop${i + 1}`,
        command: process.execPath,
        args: [...NODE_HEAP_FLAGS, fromRoot('tools', 'dist', 'bench-hop.js')],
        env: { PORT: String(port), NEXT_URL: ports[i + 1] ? `http://127.0.0.1:${ports[i + 1]}/` : undefined },
        healthUrl: `http://127.0.0.1:${port}/health`,
      }),
  );
  for (const hop of [...hops].reverse()) await hop.start();
  return hops;
}

async function benchOne(config: Config, options: Options): Promise<ConfigResult & { profiles?: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${config}-`));
  const ports = await freePorts(CHAIN_PORT_NAMES);
  const stops: (() => Promise<unknown>)[] = [];
  try {
    if (config === 'limit') {
      const hops = await startLimitChain([ports.orders, ports.inventory, ports.pricing, ports.notifications]);
      stops.push(async () => Promise.all(hops.map((hop) => hop.stop())));
      const result = await driveAndAccount(`http://127.0.0.1:${ports.orders}/orders`, options, hops, false);
      return { config, ...result, peakRssMb: Object.fromEntries(hops.map((hop) => [hop.name, peakRssMb(hop)])) };
    }
    // The collector runs in every configuration, exporting to a receiver that only drains,
    // so each one carries the same background and the telemetry really leaves the process.
    const sink = await OtlpSink.start(0, '127.0.0.1', false);
    stops.push(() => sink.close());
    const {
      mode,
      env = {},
      tailSampling = false,
    } = CONFIGS[config] as { mode: Mode; env?: Record<string, string>; tailSampling?: boolean };
    const collector = collectorProcess({ ports, exportTo: sink.url, logFile: path.join(dataDir, 'otel-collector.log'), tailSampling });
    await collector.start();
    stops.push(() => collector.stop());
    // Service logs go to files, as a container runtime would take them, not through this process.
    const profiles = fromRoot('data', 'bench', 'profiles', config);
    const profiling: Record<string, string> = options.cpuProf ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profiles}` } : {};
    if (options.cpuProf) fs.rmSync(profiles, { recursive: true, force: true });
    const serviceEnv = Object.fromEntries(SERVICES.map((name) => [name, { ...env, ...options.env, ...profiling }]));
    const chain: Chain = await startChain({
      mode,
      ports,
      dataDir,
      logDir: dataDir,
      uncaptured: true,
      serviceEnv,
      otlpEndpoint: `http://127.0.0.1:${ports.grpc}`,
    });
    stops.push(() => chain.stop());
    await fetch(`${chain.url('inventory')}/inventory/restock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ product_name: 'Mouse', quantity: 1_000_000 }),
    });
    const measured = [...SERVICES.map((name) => chain.services[name]), ...(chain.envoy ? [chain.envoy] : []), collector];
    const result = await driveAndAccount(`${chain.ordersUrl}/orders`, options, measured, true);
    const peak = Object.fromEntries(SERVICES.map((name) => [name, peakRssMb(chain.services[name])]));
    if (chain.envoy) peak.envoy = peakRssMb(chain.envoy);
    peak.collector = peakRssMb(collector);
    return { config, ...result, peakRssMb: peak, ...(options.cpuProf ? { profiles } : {}) };
  } finally {
    for (const stop of stops.reverse()) await stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function printTable(results: ConfigResult[]): void {
  const off = results.find((r) => r.config === 'off');
  const nonChain = (config: Config) => config === 'limit';
  const limit = results.find((r) => r.config === 'limit');
  const header = ['config', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'req/s vs off', 'p99 vs off', 'peak RSS MB (per process)'];
  const rows = results.map((r) => [
    r.config,
    String(r.requestsPerSec),
    r.p50.toFixed(1),
    r.p95.toFixed(1),
    r.p99.toFixed(1),
    String(r.errors + r.non2xx),
    off && !nonChain(r.config) ? `${((100 * r.requestsPerSec) / off.requestsPerSec).toFixed(0)}%` : '',
    off && !nonChain(r.config) ? `${r.p99 >= off.p99 ? '+' : ''}${((100 * (r.p99 - off.p99)) / off.p99).toFixed(0)}%` : '',
    Object.entries(r.peakRssMb)
      .map(([name, mb]) => `${name} ${mb}`)
      .join(', '),
  ]);
  printColumns(header, rows);
  if (off && limit) console.log(`\noff reaches ${((100 * off.requestsPerSec) / limit.requestsPerSec).toFixed(0)}% of limit's throughput.`);

  // Throughput on two shared cores is set by the CPU each request costs, summed over every
  // process: this table shows where that cost sits.
  const names = [...new Set(results.flatMap((r) => Object.keys(r.cpuMsPerRequest)))];
  console.log('\nCPU ms per request (all processes share the same two cores):\n');
  printColumns(
    ['config', 'total', ...names],
    results.map((r) => {
      const total = Object.values(r.cpuMsPerRequest).reduce((a, b) => a + b, 0);
      return [r.config, total.toFixed(2), ...names.map((name) => r.cpuMsPerRequest[name]?.toFixed(2) ?? '')];
    }),
  );
}

function printColumns(header: string[], rows: string[][]): void {
  const widths = header.map((_, i) => Math.max(header[i]!.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

async function main() {
  const options = readOptions(process.argv.slice(2));
  if (!collectorIsBuilt()) throw new Error('the collector is not built: run bash scripts/setup-collector.sh');
  if (options.configs.some((c) => c.startsWith('envoy')) && !envoyIsInstalled())
    throw new Error('Envoy is not installed: run bash scripts/setup-envoy.sh');
  console.log(`${os.cpus().length} x ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
  console.log(
    `closed loop, ${options.concurrency} connections, ${options.warmupSec} s warm-up + ${options.durationSec} s measured per configuration, POST /orders (1 Mouse)`,
  );
  if (Object.keys(options.env).length) console.log(`service environment: ${JSON.stringify(options.env)}`);
  console.log('');
  const results: (ConfigResult & { profiles?: string })[] = [];
  for (const config of options.configs) {
    process.stderr.write(`running ${config} ...\n`);
    results.push(await benchOne(config, options));
  }
  printTable(results);
  // The profiles are written when the services exit, i.e. after benchOne stopped them.
  for (const result of results) if (result.profiles) printProfileSummary(result.config, result.profiles);
  const file = fromRoot('data', 'bench', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    JSON.stringify({ machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version }, options, results }, null, 2),
  );
  console.log(`\nJSON: ${path.relative(process.cwd(), file)}`);
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
