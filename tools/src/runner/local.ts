import fs from 'node:fs';
import path from 'node:path';
import { type ParseArgsOptionsConfig } from 'node:util';
import { startChain, DEFAULT_PORTS, type Chain } from './chain';
import { parseCommandLine } from './cli';
import { EXPECTED_SHAPE } from '@demo/trace-verdict';
import { MODES, isMode, type Mode } from './modes';
import { collectorIsBuilt, collectorProcess, DEFAULT_COLLECTOR_PORTS } from './collector';
import { OtlpSink } from '../tempo-stand-in/otlp-sink';
import { reportOrders } from './order-report';
import { fromRoot } from './paths';
import { nginxProcess, WEB_UI_PUBLIC } from './nginx';
import { spawnSync } from 'node:child_process';
import { tempoLeftPadsTraceIds } from './tempo-config';
import { ManagedProcess, killAllNow, liveProcesses, onUnexpectedExit } from './process';
import { describePortHolder, portIsFree } from './ports';

// npm run local -- --mode <sdk|none|envoy|envoy-propagation|off> [--load] [--tail-sampling] [--instant-search]
//
// The demo without Docker: the four services on the seed's ports, the real collector (when
// built) printing what it receives, and, standing in for Tempo, a small receiver that prints
// one line per trace so you can see a trace connect or break as you send orders.
//
// It runs everything or nothing: every port is checked before anything starts, and on every
// way out (Ctrl-C, SIGTERM, an error, a child that dies) every child it started is stopped.

const SINK_PORT = 4320;
const WEB_UI_PORT = 8088;
const DATA_DIR = fromRoot('data', 'local');

interface LocalOptions {
  mode: Mode;
  load: boolean;
  tailSampling: boolean;
  instantSearch: boolean;
}

const COMMAND_LINE = {
  mode: { type: 'string' },
  load: { type: 'boolean' },
  'tail-sampling': { type: 'boolean' },
  'instant-search': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsOptionsConfig;

function readOptions(argv: string[]): LocalOptions {
  const parsed = parseCommandLine(argv, COMMAND_LINE);
  if (!parsed.ok) {
    const { kind, argument } = parsed.problem;
    if (kind === 'unknown') console.error(`unknown argument "${argument}"`);
    else if (kind === 'needs-value') console.error(`${argument} needs a value: one of ${Object.keys(MODES).join(', ')}`);
    else console.error(`${argument} takes no value`);
    usage(2);
  }
  const { values } = parsed;
  if (values.help) usage(0);
  const mode = values.mode ?? 'sdk';
  if (typeof mode !== 'string' || !isMode(mode)) {
    console.error(`unknown mode "${String(mode)}"`);
    usage(2);
  }
  return {
    mode,
    load: values.load === true,
    tailSampling: values['tail-sampling'] === true,
    instantSearch: values['instant-search'] === true,
  };
}

function usage(code: number): never {
  console.log(`usage: npm run local -- --mode <${Object.keys(MODES).join('|')}> [--load] [--tail-sampling] [--instant-search]`);
  console.log('  --load             also start the load generator (a steady mix of orders)');
  console.log('  --tail-sampling    the collector keeps errors, slow traces and 10 % of the rest (collector/tail-sampling.yaml)');
  console.log("  --instant-search   the receiver's Tempo search finds a trace at once, not ~30 s after it ends as Tempo's does");
  console.log('  head sampling: set OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG before the command');
  for (const name of Object.keys(MODES) as Mode[]) console.log(`  ${name.padEnd(18)} ${EXPECTED_SHAPE[name].en}`);
  process.exit(code);
}

function loadGeneratorProcess(chain: Chain, withSdk: boolean): ManagedProcess {
  const entry = fromRoot('services', 'load-generator', 'dist', 'main.js');
  return new ManagedProcess({
    name: 'load-generator',
    command: process.execPath,
    args: withSdk ? ['--require', '@demo/shared/telemetry', entry] : [entry],
    cwd: fromRoot(),
    env: {
      OTEL_SERVICE_NAME: 'load-generator',
      OTEL_EXPORTER_OTLP_ENDPOINT: chain.options.otlpEndpoint,
      ORDERS_URL: chain.ordersUrl,
      INVENTORY_URL: chain.url('inventory'),
    },
    logFile: fromRoot('data', 'local', 'load-generator.log'),
  });
}

// ---- Stopping: one path out, whatever the reason ----------------------------------------

let stopping = false;
/** In-process parts (the trace receiver, the report timer), closed after the children. */
const closers: (() => Promise<unknown>)[] = [];

/**
 * Stops every child, closes the receiver and exits. Idempotent: npm forwards Ctrl-C to us on
 * top of the terminal's own SIGINT, and a crash may follow a signal, so it can be called twice.
 */
async function shutdown(code: number, reason?: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (reason) console.error(`\n${reason}`);
  if (liveProcesses().length > 0) console.log('\nstopping ...');
  // Should a child ignore SIGTERM and SIGKILL alike (stuck in the kernel), still exit.
  setTimeout(() => (killAllNow(), process.exit(code)), 30_000).unref();
  await stopAllChildren();
  for (const close of closers.reverse()) await close().catch(() => undefined);
  process.exit(code);
}

/** Newest first, so no service is left calling one already gone; the collector goes last. */
async function stopAllChildren(): Promise<void> {
  // A start under way when the shutdown began may still spawn a child: go round until none is left.
  for (let children = liveProcesses(); children.length > 0; children = liveProcesses()) {
    for (const child of children.reverse()) {
      await child.stop().catch((error: unknown) => console.error(`stopping ${child.name}: ${(error as Error).message}`));
    }
  }
}

function installExitHandlers(): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0));
  process.on('uncaughtException', (error) => void shutdown(1, `unexpected error: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (error) => void shutdown(1, `unexpected error: ${(error as Error)?.stack ?? String(error)}`));
  // The last resort for any process.exit this file did not route through shutdown().
  process.on('exit', killAllNow);
  onUnexpectedExit((child, code, signal) => {
    // Ctrl-C reaches every process of the terminal's foreground group, children included, so
    // a child can exit from it a moment before our own SIGINT handler runs: wait for that.
    setTimeout(() => {
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const output = child.tail() ? `; its last output:\n${child.tail()}` : '';
      void shutdown(1, `${child.name} ${how} unexpectedly${output}\nStopping everything: the demo is not whole without it.`);
    }, 300);
  });
}

/**
 * npm runs us through `sh -c`, and a SIGTERM to npm ends npm and that shell but never reaches
 * us: the whole chain would run on with nobody to stop it. So losing our parent means stop.
 */
function stopWhenOrphaned(): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent)
      void shutdown(0, `our parent process (pid ${parent}) is gone, so nobody could stop us: stopping everything`);
  }, 500).unref();
}

/** Between the start steps: once stopping, start nothing more. */
function abortIfStopping(): void {
  if (stopping) throw new Error('stopping');
}

// ---- Starting ----------------------------------------------------------------------------

interface NeededPort {
  port: number;
  owner: string;
  /** The address it binds: everything is on loopback except nginx and the collector's own metrics. */
  host: '127.0.0.1' | '0.0.0.0';
}

function neededPorts(mode: Mode, withCollector: boolean, withWebUi: boolean): NeededPort[] {
  const p = DEFAULT_PORTS;
  const loopback = (port: number, owner: string): NeededPort => ({ port, owner, host: '127.0.0.1' });
  const needed = (['orders', 'inventory', 'pricing', 'notifications'] as const).map((name) => loopback(p[name], name));
  if (MODES[mode].envoy) {
    needed.push(loopback(p.envoyIngress, 'envoy ingress'), loopback(p.envoyEgress, 'envoy egress'), loopback(p.envoyAdmin, 'envoy admin'));
  }
  if (withCollector) {
    const c = DEFAULT_COLLECTOR_PORTS;
    needed.push(
      loopback(c.grpc, 'collector OTLP gRPC'),
      loopback(c.http, 'collector OTLP HTTP'),
      loopback(c.prometheus, 'collector Prometheus exporter'),
      loopback(c.health, 'collector health check'),
      // collector/otel-collector-config.yaml serves the collector's own metrics on 0.0.0.0.
      { port: c.internalMetrics, owner: 'collector own metrics', host: '0.0.0.0' },
    );
  }
  needed.push(loopback(SINK_PORT, 'trace receiver'));
  // The template's "listen ${WEB_UI_PORT};" is every interface.
  if (withWebUi) needed.push({ port: WEB_UI_PORT, owner: 'web UI', host: '0.0.0.0' });
  return needed;
}

/** Fails, naming each busy port and what holds it, before anything has started. */
async function assertPortsFree(needed: NeededPort[]): Promise<void> {
  const busy: string[] = [];
  for (const { port, owner, host } of needed) {
    if (!(await portIsFree(port, host))) busy.push(`  port ${port} (${owner}) is in use, ${describePortHolder(port, host)}`);
  }
  if (busy.length === 0) return;
  throw new Error(
    [
      'npm run local cannot start, nothing was started:',
      ...busy,
      'Stop what holds them (an earlier npm run local, or the Docker demo: docker compose down) and try again.',
    ].join('\n'),
  );
}

async function startCollector(sink: OtlpSink, tailSampling: boolean): Promise<ManagedProcess | undefined> {
  if (!collectorIsBuilt()) {
    console.log('The collector is not built, so telemetry goes nowhere. Build it once with: bash scripts/setup-collector.sh');
    return undefined;
  }
  // Its info lines (a dozen long start-up lines, the debug exporter's counts) go to the log file only.
  const onScreen = (line: string) => !/^\S+\t(info|debug)\t/i.test(line);
  const collector = collectorProcess({
    ports: DEFAULT_COLLECTOR_PORTS,
    exportTo: sink.url,
    echo: onScreen,
    logFile: path.join(DATA_DIR, 'otel-collector.log'),
    tailSampling,
    // Kept between runs, like the SQLite files: what the collector could not deliver yet goes out on the next start.
    queueDir: path.join(DATA_DIR, 'collector-queue'),
  });
  await collector.start();
  return collector;
}

/** The web UI, when nginx is installed; the receiver plays Tempo for its trace preview. */
async function startWebUi(mode: Mode, chain: Chain, sink: OtlpSink): Promise<ManagedProcess> {
  const webUi = nginxProcess(path.join(DATA_DIR, 'nginx'), {
    WEB_UI_PORT: String(WEB_UI_PORT),
    WEB_UI_ROOT: WEB_UI_PUBLIC,
    ORDERS_URL: chain.ordersUrl,
    TEMPO_URL: sink.url,
    COLLECTOR_OTLP_HTTP_URL: `http://127.0.0.1:${DEFAULT_COLLECTOR_PORTS.http}`,
    GRAFANA_URL: 'http://localhost:3000',
    DEMO_MODE: mode,
  });
  await webUi.start();
  return webUi;
}

function printBanner(mode: Mode, collector: ManagedProcess | undefined, webUi: ManagedProcess | undefined): void {
  const p = DEFAULT_PORTS;
  console.log(`
Mode "${mode}": ${EXPECTED_SHAPE[mode].en}

  orders          http://localhost:${p.orders}        (POST /orders, GET /orders)
  inventory       http://localhost:${p.inventory}        (GET /inventory)
  pricing         http://localhost:${p.pricing}        ${MODES[mode].envoy ? '(listens on 127.0.0.1; reached through Envoy)' : ''}
  notifications   http://localhost:${p.notifications}        (GET /notifications)${
    MODES[mode].envoy
      ? `\n  envoy           http://localhost:${p.envoyIngress}       (ingress to pricing), admin http://localhost:${p.envoyAdmin}`
      : ''
  }
  web UI          ${webUi ? `http://localhost:${WEB_UI_PORT}` : 'not running (needs nginx)'}
  collector       ${collector ? `OTLP gRPC localhost:${DEFAULT_COLLECTOR_PORTS.grpc}, metrics http://localhost:${DEFAULT_COLLECTOR_PORTS.prometheus}/metrics` : 'not running'}
  data and logs   ${path.relative(process.cwd(), DATA_DIR) || '.'}/

Try:  curl -X POST http://localhost:${p.orders}/orders -H "Content-Type: application/json" -d '{"user_id": 1001, "product_name": "Laptop", "quantity": 2}'
Each order is summarised below once its late spans are in (Envoy flushes every 5 s): its traces and where they broke.
The collector's own log: ${path.relative(process.cwd(), path.join(DATA_DIR, 'otel-collector.log'))}. Ctrl-C stops everything.
`);
}

async function main() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 24) {
    console.error(
      `Node ${process.versions.node} is too old: this demo needs Node 24. bash scripts/setup.sh installs it into .tools/node, where npm run local finds it`,
    );
    process.exit(1);
  }
  const { mode, load, tailSampling, instantSearch } = readOptions(process.argv.slice(2));
  installExitHandlers();
  stopWhenOrphaned();
  const withWebUi = spawnSync('nginx', ['-v']).status === 0;
  await assertPortsFree(neededPorts(mode, collectorIsBuilt(), withWebUi));
  // Before any log file is opened in it: a fresh clone has no data/.
  fs.mkdirSync(DATA_DIR, { recursive: true });

  const sink = await OtlpSink.start(SINK_PORT, '127.0.0.1', true, { instantSearch, leftPadTraceIds: tempoLeftPadsTraceIds() });
  closers.push(() => sink.close());
  const collector = await startCollector(sink, tailSampling);
  abortIfStopping();
  const chain = await startChain({
    mode,
    ports: DEFAULT_PORTS,
    dataDir: DATA_DIR,
    logDir: DATA_DIR,
    otlpEndpoint: `http://127.0.0.1:${DEFAULT_COLLECTOR_PORTS.grpc}`,
    echo: true,
  });
  const report = reportOrders(sink, (line) => console.log(line));
  closers.push(async () => report.stop());
  abortIfStopping();
  const webUi = withWebUi ? await startWebUi(mode, chain, sink) : undefined;
  abortIfStopping();
  if (load) await loadGeneratorProcess(chain, mode !== 'off').start();
  abortIfStopping();
  printBanner(mode, collector, webUi);
}

main().catch((error: unknown) => void shutdown(1, (error as Error).message));
