import { OtlpSink } from './otlp-sink';

// The OTLP receiver as a server of its own: the stand-in for Tempo and Loki in the compose
// stack test (tests/compose-stack), where the real ones cannot run.
//
//   node otlp-receiver.js 4318 3200     Tempo: OTLP/HTTP in, trace-by-id out
//   node otlp-receiver.js 3100          Loki: OTLP/HTTP logs at /otlp/v1/logs

async function main(): Promise<void> {
  const ports = process.argv.slice(2).map(Number);
  if (!ports.length || ports.some((port) => !Number.isInteger(port) || port <= 0 || port > 65535)) {
    console.error('usage: node otlp-receiver.js <port> [<port> ...]');
    process.exit(2);
  }
  const [first, ...others] = ports as [number, ...number[]];
  const sink = await OtlpSink.start(first, '0.0.0.0');
  for (const port of others) await sink.listenAlso(port, '0.0.0.0');
  console.log(`OTLP receiver listening on ${ports.join(', ')}`);
  const stop = () => void sink.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main();
