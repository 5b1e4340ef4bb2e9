import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OtlpSink } from '../tempo-stand-in/otlp-sink';
import { startChain, type Chain, type ChainOptions } from './chain';
import { collectorProcess } from './collector';
import type { Mode } from './modes';
import { CHAIN_PORT_NAMES, freePorts } from './ports';

// One mode's chain for one measurement: the four services on free ports, the real collector
// exporting to a fresh receiver (where Tempo and Loki would be), everything in a temporary
// folder, all of it stopped and removed once `use` is done, whatever it threw.

export async function withTracedChain<T>(
  mode: Mode,
  options: Partial<Pick<ChainOptions, 'envoyFastFlush' | 'nodeFlags' | 'serviceEnv'>>,
  use: (chain: Chain, sink: OtlpSink, dataDir: string) => Promise<T>,
): Promise<T> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `chain-${mode}-`));
  const ports = await freePorts(CHAIN_PORT_NAMES);
  const sink = await OtlpSink.start();
  const collector = collectorProcess({ ports, exportTo: sink.url, logFile: path.join(dataDir, 'otel-collector.log') });
  try {
    await collector.start();
    const chain = await startChain({ mode, ports, dataDir, logDir: dataDir, otlpEndpoint: `http://127.0.0.1:${ports.grpc}`, ...options });
    try {
      return await use(chain, sink, dataDir);
    } finally {
      await chain.stop();
    }
  } finally {
    await collector.stop();
    await sink.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
