import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify, type ParseArgsOptionsConfig } from 'node:util';
import { startChain, NODE_HEAP_FLAGS, SERVICES, type Chain } from '../runner/chain';
import { collectorIsBuilt, collectorProcess } from '../runner/collector';
import { envoyIsInstalled } from '../runner/envoy';
import { OtlpSink } from '../tempo-stand-in/otlp-sink';
import { CHAIN_PORT_NAMES, freePorts } from '../runner/ports';
import { ManagedProcess } from '../runner/process';
import { fromRoot } from '../runner/paths';
import type { DriverResult } from './bench-driver';
import type { Mode } from '../runner/modes';
import { ALL_CONFIGS, CONFIGS, DEFAULT_CONFIGS, type Config } from './bench-configs';
import { printProfileSummary } from './cpu-profile';
import { describeProblem, parseCommandLine, type ParsedValue } from '../runner/cli';
import { median } from './stats';
import { printTable } from './table';

// npm run bench -- [--duration 20] [--warmup 5] [--concurrency 32] [--configs limit,off,sdk,sdk-head-10,sdk-tail,envoy,...]
//                  [--env OTEL_LOGS_EXPORTER=none]   (extra environment for the services; repeatable)
//                  [--cpu-prof]                      (a V8 CPU profile per service, summarised by package)
//
// What each instrumentation mode costs, measured side by side in one run on this machine:
// the chain runs natively in each configuration in turn, a separate load process drives
// POST /orders (closed loop, fixed concurrency, after a warm-up), and the table shows
// throughput, latency percentiles, errors and the peak memory of each service. A benchmark,
// not a test: it asserts nothing about speed.

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
  /** Of the four services' CPU, the share V8's helper threads used (mostly garbage collection). */
  v8WorkerShare: number;
  /** Per service, ms from spawn until /health answered (its modules loaded, its SDK started, listening). */
  startupMs?: Record<string, number>;
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
    throw new Error(describeProblem(parsed.problem));
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
 * CPU of V8's own helper threads in a process, in ms: parallel scavenges, concurrent marking
 * and sweeping (and background compilation, done after the warm-up). Part of cpuMs above.
 */
function v8WorkerCpuMs(pid: number | undefined): number {
  let ms = 0;
  for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      if (!fs.readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8').startsWith('V8')) continue;
      const fields = fs.readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ms += (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      // the thread ended between listing and reading
    }
  }
  return ms;
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
): Promise<DriverResult & { cpuMsPerRequest: Record<string, number>; v8WorkerShare: number }> {
  const services = processes.filter((p) => (SERVICES as readonly string[]).includes(p.name));
  const before = processes.map((p) => cpuMs(p.pid));
  const servicesBefore = services.map((p) => [cpuMs(p.pid), v8WorkerCpuMs(p.pid)] as const);
  const selfBefore = process.cpuUsage();
  const result = await drive(url, options);
  const self = process.cpuUsage(selfBefore);
  const servicesAfter = services.map((p) => [cpuMs(p.pid), v8WorkerCpuMs(p.pid)] as const);
  const sum = (rows: (readonly [number, number])[], i: 0 | 1) => rows.reduce((total, row) => total + row[i], 0);
  const serviceCpu = sum(servicesAfter, 0) - sum(servicesBefore, 0);
  const v8WorkerShare = serviceCpu > 0 ? (sum(servicesAfter, 1) - sum(servicesBefore, 1)) / serviceCpu : 0;
  const perRequest = (ms: number) => Math.round((100 * ms) / Math.max(1, result.allRequests)) / 100;
  const cpuMsPerRequest: Record<string, number> = {};
  processes.forEach((p, i) => (cpuMsPerRequest[p.name] = perRequest(cpuMs(p.pid) - before[i]!)));
  cpuMsPerRequest.load = perRequest(result.driverCpuMs);
  if (sinkInProcess) cpuMsPerRequest.sink = perRequest((self.user + self.system) / 1000);
  return { ...result, cpuMsPerRequest, v8WorkerShare };
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
  const driver = fromRoot('tools', 'dist', 'measure', 'bench-driver.js');
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
        args: [...NODE_HEAP_FLAGS, fromRoot('tools', 'dist', 'measure', 'bench-hop.js')],
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
      pricingEnv = {},
      tailSampling = false,
      nodeFlags,
    } = CONFIGS[config] as {
      mode: Mode;
      env?: Record<string, string>;
      pricingEnv?: Record<string, string>;
      tailSampling?: boolean;
      nodeFlags?: string[];
    };
    const collector = collectorProcess({ ports, exportTo: sink.url, logFile: path.join(dataDir, 'otel-collector.log'), tailSampling });
    await collector.start();
    stops.push(() => collector.stop());
    // Service logs go to files, as a container runtime would take them, not through this process.
    const profiles = fromRoot('data', 'bench', 'profiles', config);
    const profiling: Record<string, string> = options.cpuProf ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profiles}` } : {};
    if (options.cpuProf) fs.rmSync(profiles, { recursive: true, force: true });
    const serviceEnv = Object.fromEntries(
      SERVICES.map((name) => [name, { ...env, ...(name === 'pricing' ? pricingEnv : {}), ...options.env, ...profiling }]),
    );
    const chain: Chain = await startChain({
      mode,
      ports,
      dataDir,
      logDir: dataDir,
      uncaptured: true,
      serviceEnv,
      nodeFlags,
      otlpEndpoint: `http://127.0.0.1:${env.OTEL_EXPORTER_OTLP_PROTOCOL === 'http/protobuf' ? ports.http : ports.grpc}`,
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
    const startupMs = Object.fromEntries(SERVICES.map((name) => [name, chain.services[name].readyAfterMs ?? NaN]));
    return { config, ...result, peakRssMb: peak, startupMs, ...(options.cpuProf ? { profiles } : {}) };
  } finally {
    for (const stop of stops.reverse()) await stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** CPU per request summed over every process: what the two shared cores spent on one order. */
const totalCpuMs = (r: ConfigResult) => Object.values(r.cpuMsPerRequest).reduce((a, b) => a + b, 0);

function printResults(results: ConfigResult[]): void {
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
  printTable(header, rows);
  if (off && limit) console.log(`\noff reaches ${((100 * off.requestsPerSec) / limit.requestsPerSec).toFixed(0)}% of limit's throughput.`);

  // Throughput on two shared cores is set by the CPU each request costs, summed over every
  // process: this table shows where that cost sits.
  const names = [...new Set(results.flatMap((r) => Object.keys(r.cpuMsPerRequest)))];
  console.log('\nCPU ms per request (all processes share the same two cores):\n');
  printTable(
    ['config', 'total', ...names, 'services: V8 helper threads'],
    results.map((r) => {
      const total = totalCpuMs(r);
      const v8Workers = r.config === 'limit' ? '' : `${(100 * r.v8WorkerShare).toFixed(0)}%`;
      return [r.config, total.toFixed(2), ...names.map((name) => r.cpuMsPerRequest[name]?.toFixed(2) ?? ''), v8Workers];
    }),
  );

  // What a preload costs before the first request: loading its modules and starting its SDK.
  console.log('\nStart-up, ms from spawn until /health answers (polled every 100 ms):\n');
  printTable(
    ['config', ...SERVICES],
    results.filter((r) => r.startupMs).map((r) => [r.config, ...SERVICES.map((name) => String(r.startupMs![name]))]),
  );
}

/**
 * Rows of the same config repeated in one run (alternating, to spread the machine's drift over
 * all of them): the median of each, and its ratio to off's median.
 */
function printMedians(results: ConfigResult[]): void {
  const rounds = new Map<Config, ConfigResult[]>();
  for (const r of results) rounds.set(r.config, [...(rounds.get(r.config) ?? []), r]);
  if (![...rounds.values()].some((rows) => rows.length > 1)) return;
  const offRows = rounds.get('off');
  const offRate = offRows ? median(offRows.map((r) => r.requestsPerSec)) : undefined;
  console.log('\nMedians over the rounds (each config as often as it was listed):\n');
  printTable(
    [
      'config',
      'rounds',
      'req/s',
      'req/s vs off',
      'each round',
      'p50 ms',
      'p99 ms',
      'CPU ms per request',
      'pricing peak RSS MB',
      'pricing start-up ms',
    ],
    [...rounds].map(([config, rows]) => {
      const rate = median(rows.map((r) => r.requestsPerSec));
      return [
        config,
        String(rows.length),
        String(Math.round(rate)),
        offRate && config !== 'limit' ? `${((100 * rate) / offRate).toFixed(0)}%` : '',
        rows.map((r) => r.requestsPerSec).join(' / '),
        median(rows.map((r) => r.p50)).toFixed(1),
        median(rows.map((r) => r.p99)).toFixed(1),
        median(rows.map(totalCpuMs)).toFixed(2),
        config === 'limit' ? '' : String(median(rows.map((r) => r.peakRssMb.pricing ?? NaN))),
        config === 'limit' ? '' : String(median(rows.map((r) => r.startupMs?.pricing ?? NaN))),
      ];
    }),
  );
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
  printResults(results);
  printMedians(results);
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
