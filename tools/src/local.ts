import path from 'node:path';
import { startChain, SEED_PORTS, type Chain } from './chain';
import { MODES, isMode, type Mode } from './modes';
import { collectorIsBuilt, collectorProcess, SEED_COLLECTOR_PORTS } from './collector';
import { OtlpSink } from './otlp-sink';
import { summarizeTrace, groupByTrace } from './traces';
import { fromRoot } from './paths';
import { nginxProcess } from './nginx';
import { spawnSync } from 'node:child_process';
import { ManagedProcess } from './process';

// npm run local -- --mode <sdk|none|envoy|envoy-propagation|off> [--load]
//
// The demo without Docker: the four services on the seed's ports, the real collector (when
// built) printing what it receives, and, standing in for Tempo, a small receiver that prints
// one line per trace so you can see a trace connect or break as you send orders.

const SINK_PORT = 4320;
const WEB_UI_PORT = 8088;

function parseArgs(argv: string[]): { mode: Mode; load: boolean } {
  let mode: Mode = 'sdk';
  let load = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--load') {
      load = true;
      continue;
    }
    const value = arg.startsWith('--mode=') ? arg.slice('--mode='.length) : arg === '--mode' ? argv[++i] : undefined;
    if (value === undefined) {
      if (arg === '--help' || arg === '-h') usage(0);
      console.error(`unknown argument "${arg}"`);
      usage(2);
    } else if (isMode(value)) {
      mode = value;
    } else {
      console.error(`unknown mode "${value}"`);
      usage(2);
    }
  }
  return { mode, load };
}

function usage(code: number): never {
  console.log(`usage: npm run local -- --mode <${Object.keys(MODES).join('|')}> [--load]`);
  console.log('  --load             also start the load generator (a steady mix of orders)');
  for (const [name, mode] of Object.entries(MODES)) console.log(`  ${name.padEnd(18)} ${mode.expect}`);
  process.exit(code);
}

/** Prints one line per trace once it has stopped growing: the native stand-in for Tempo's search. */
function reportTraces(sink: OtlpSink): NodeJS.Timeout {
  const reported = new Set<string>();
  const lastCount = new Map<string, number>();
  return setInterval(() => {
    for (const [traceId, spans] of groupByTrace(sink.spans)) {
      if (reported.has(traceId)) continue;
      if (lastCount.get(traceId) !== spans.length) {
        lastCount.set(traceId, spans.length);
        continue;
      }
      reported.add(traceId);
      const summary = summarizeTrace(spans);
      const perService = summary.services.map((service) => `${service}(${summary.spansPerService[service]})`).join(' -> ');
      console.log(`trace ${traceId}: ${summary.spanCount} spans, ${perService}`);
    }
  }, 1500);
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

async function main() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 24) {
    console.error(`Node ${process.versions.node} is too old: this demo needs Node 24. bash scripts/setup.sh installs it; then run: export PATH="$PWD/.tools/node/bin:$PATH"`);
    process.exit(1);
  }
  const { mode, load } = parseArgs(process.argv.slice(2));
  const stoppers: (() => Promise<unknown>)[] = [];
  let chain: Chain | undefined;
  let generator: ManagedProcess | undefined;

  const sink = await OtlpSink.start(SINK_PORT);
  stoppers.push(() => sink.close());
  let collector: ManagedProcess | undefined;
  if (collectorIsBuilt()) {
    collector = collectorProcess({ ports: SEED_COLLECTOR_PORTS, exportTo: sink.url, echo: true, logFile: fromRoot('data', 'local', 'otel-collector.log') });
    await collector.start();
    stoppers.push(() => collector!.stop());
  } else {
    console.log('The collector is not built, so telemetry goes nowhere. Build it once with: bash scripts/setup-collector.sh');
  }

  const shutdown = async () => {
    console.log('\nstopping ...');
    await generator?.stop();
    await chain?.stop();
    for (const stop of stoppers.reverse()) await stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  chain = await startChain({
    mode,
    ports: SEED_PORTS,
    dataDir: fromRoot('data', 'local'),
    logDir: fromRoot('data', 'local'),
    otlpEndpoint: `http://127.0.0.1:${SEED_COLLECTOR_PORTS.grpc}`,
    echo: true,
  });
  const timer = reportTraces(sink);
  stoppers.push(async () => clearInterval(timer));
  // The web UI, when nginx is installed; the receiver plays Tempo for its trace preview.
  let webUi: ManagedProcess | undefined;
  if (spawnSync('nginx', ['-v']).status === 0) {
    webUi = nginxProcess(fromRoot('data', 'local', 'nginx'), {
      WEB_UI_PORT: String(WEB_UI_PORT),
      WEB_UI_ROOT: fromRoot('web-ui'),
      ORDERS_URL: chain.ordersUrl,
      TEMPO_URL: sink.url,
      GRAFANA_URL: 'http://localhost:3000',
      DEMO_MODE: mode,
    });
    await webUi.start();
    stoppers.push(() => webUi!.stop());
  }
  if (load) {
    generator = loadGeneratorProcess(chain, mode !== 'off');
    await generator.start();
  }

  const p = SEED_PORTS;
  console.log(`
Mode "${mode}": ${MODES[mode].expect}

  orders          http://localhost:${p.orders}        (POST /orders, GET /orders)
  inventory       http://localhost:${p.inventory}        (GET /inventory)
  pricing         http://localhost:${p.pricing}        ${MODES[mode].envoy ? '(listens on 127.0.0.1; reached through Envoy)' : ''}
  notifications   http://localhost:${p.notifications}        (GET /notifications)${
    MODES[mode].envoy ? `\n  envoy           http://localhost:${p.envoyIngress}       (ingress to pricing), admin http://localhost:${p.envoyAdmin}` : ''
  }
  web UI          ${webUi ? `http://localhost:${WEB_UI_PORT}` : 'not running (needs nginx)'}
  collector       ${collector ? `OTLP gRPC localhost:${SEED_COLLECTOR_PORTS.grpc}, metrics http://localhost:${SEED_COLLECTOR_PORTS.prometheus}/metrics` : 'not running'}
  data and logs   ${path.relative(process.cwd(), fromRoot('data', 'local')) || '.'}/

Try:  curl -X POST http://localhost:${p.orders}/orders -H "Content-Type: application/json" -d '{"user_id": 1001, "product_name": "Laptop", "quantity": 2}'
Each trace is summarised below once complete. Ctrl-C stops everything.
`);
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
