import { parseArgs } from 'node:util';
import { OtlpSink } from './otlp-sink';

// The OTLP receiver as a server of its own: the stand-in for Tempo and Loki in the compose
// stack test (tests/compose-stack), where the real ones cannot run.
//
//   node otlp-receiver.js 4318 3200     Tempo: OTLP/HTTP in, search and trace-by-id out
//   node otlp-receiver.js 3100          Loki: OTLP/HTTP logs at /otlp/v1/logs
//   --instant-search                    search without Tempo's lag (tempo-api.ts)
//   --left-pad-trace-ids                as tempo/tempo.yaml's overrides.defaults.read.left_pad_trace_ids

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { 'instant-search': { type: 'boolean' }, 'left-pad-trace-ids': { type: 'boolean' } },
    allowPositionals: true,
  });
  const ports = positionals.map(Number);
  if (!ports.length || ports.some((port) => !Number.isInteger(port) || port <= 0 || port > 65535)) {
    console.error('usage: node otlp-receiver.js [--instant-search] [--left-pad-trace-ids] <port> [<port> ...]');
    process.exit(2);
  }
  const [first, ...others] = ports as [number, ...number[]];
  const sink = await OtlpSink.start(first, '0.0.0.0', true, {
    instantSearch: values['instant-search'] === true,
    leftPadTraceIds: values['left-pad-trace-ids'] === true,
  });
  for (const port of others) await sink.listenAlso(port, '0.0.0.0');
  console.log(`OTLP receiver listening on ${ports.join(', ')}`);
  const stop = () => void sink.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main();
