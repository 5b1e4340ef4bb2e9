import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fork } from 'node:child_process';
import { collectorIsBuilt, collectorProcess } from '../runner/collector';
import { OtlpSink } from '../tempo-stand-in/otlp-sink';
import { freePorts } from '../runner/ports';
import { median } from './stats';
import { describeProblem, parseCommandLine, positiveNumber } from '../runner/cli';

// npm run bench-logs -- [--lines 20000] [--rounds 3]
//
// What one log line costs the request path, per way of shipping logs (LOG_SHIPPING): a child
// process with the telemetry bootstrap logs --lines pino lines inside a sampled span context,
// as a service does while it handles a request, and reports the CPU its main thread spent
// (process.threadCpuUsage) and the CPU of the whole process, worker threads and export
// included. The records go through the real collector to a receiver that only drains.
// CPU time, not wall time: it is what a shared machine's load disturbs least. A benchmark:
// it prints numbers and asserts nothing.

const SHIPPINGS = ['main-thread', 'pino-transport', 'worker'] as const;

interface ChildResult {
  shipping: string;
  lines: number;
  mainThreadUsPerLine: number;
  processUsPerLine: number;
}

/** In the child: log, measure, report to the parent. */
async function child(lines: number): Promise<void> {
  const { context, trace, TraceFlags } = await import('@opentelemetry/api');
  const { createLogger } = await import('@demo/shared');
  const logger = createLogger('bench-logs');
  const inSpan = trace.setSpanContext(context.active(), {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: TraceFlags.SAMPLED,
  });
  const logSome = async (count: number) => {
    for (let i = 0; i < count; i++) {
      context.with(inSpan, () => logger.info({ order_id: i, product_name: 'Mouse', quantity: 1 }, 'order placed'));
      // Let the event loop run now and then, as between requests.
      if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
    }
  };
  await logSome(2000); // warm-up
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const thread0 = process.threadCpuUsage();
  const process0 = process.cpuUsage();
  await logSome(lines);
  const thread = process.threadCpuUsage(thread0);
  // The export happens after the lines are logged: wait for the batches to leave.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const whole = process.cpuUsage(process0);
  const result: ChildResult = {
    shipping: process.env.LOG_SHIPPING ?? '',
    lines,
    mainThreadUsPerLine: (thread.user + thread.system) / lines,
    processUsPerLine: (whole.user + whole.system) / lines,
  };
  process.send!(result, () => process.exit(0));
}

async function runChild(shipping: string, lines: number, endpoint: string): Promise<ChildResult> {
  const worker = fork(__filename, ['--child', String(lines)], {
    execArgv: ['--require', '@demo/shared/telemetry'],
    env: {
      ...process.env,
      LOG_SHIPPING: shipping,
      OTEL_SERVICE_NAME: 'bench-logs',
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_METRICS_EXPORTER: 'none',
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (message) => resolve(message as ChildResult));
    worker.once('exit', (code) => reject(new Error(`the ${shipping} child exited (${code}) without a result`)));
  });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') return child(Number(argv[1]));
  const parsed = parseCommandLine(argv, { lines: { type: 'string' }, rounds: { type: 'string' } });
  if (!parsed.ok) throw new Error(describeProblem(parsed.problem));
  const lines = positiveNumber(parsed.values, 'lines', 20_000);
  const rounds = positiveNumber(parsed.values, 'rounds', 3);
  if (!collectorIsBuilt()) throw new Error('the collector is not built: run bash scripts/setup-collector.sh');

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-logs-'));
  const ports = await freePorts(['grpc', 'http', 'prometheus', 'health', 'internalMetrics'] as const);
  const sink = await OtlpSink.start(0, '127.0.0.1', false);
  const collector = collectorProcess({ ports, exportTo: sink.url, logFile: path.join(dataDir, 'otel-collector.log') });
  await collector.start();
  console.log(
    `${os.cpus().length} x ${os.cpus()[0]?.model}, Node ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(`${lines} lines per run, ${rounds} rounds, the ways of shipping alternating\n`);
  const results: ChildResult[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      for (const shipping of SHIPPINGS) results.push(await runChild(shipping, lines, `http://127.0.0.1:${ports.grpc}`));
    }
  } finally {
    await collector.stop();
    await sink.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  console.log('LOG_SHIPPING    main thread µs/line (median, all rounds)        whole process µs/line (median, all rounds)');
  for (const shipping of SHIPPINGS) {
    const mine = results.filter((r) => r.shipping === shipping);
    const main = mine.map((r) => r.mainThreadUsPerLine);
    const whole = mine.map((r) => r.processUsPerLine);
    console.log(
      `${shipping.padEnd(14)}  ${median(main).toFixed(1).padStart(6)}  (${main.map((v) => v.toFixed(1)).join(', ')})`.padEnd(64) +
        `${median(whole).toFixed(1).padStart(6)}  (${whole.map((v) => v.toFixed(1)).join(', ')})`,
    );
  }
  console.log(
    `\nload average after: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
