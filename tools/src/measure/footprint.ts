import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type ParseArgsOptionsConfig } from 'node:util';
import { NODE_HEAP_FLAGS, SERVICES, type ServiceName } from '../runner/chain';
import { withTracedChain } from '../runner/with-chain';
import { collectorIsBuilt } from '../runner/collector';
import { describeProblem, parseCommandLine } from '../runner/cli';
import { fromRoot } from '../runner/paths';
import { waitFor } from '../runner/process';
import { printTable } from './table';

// npm run footprint [-- --json]
//
// What each service loads: the chain runs natively untraced ("off") and with the SDK ("sdk"),
// each service serves one order, and then reports from inside itself (module-count.ts) how
// many modules it has loaded, its resident memory, and which of the big packages it pulled
// in: a Fastify service should never load Express, nor the other way round.

const MODES = ['off', 'sdk'] as const;

export interface Footprint {
  modules: number;
  rssBytes: number;
  loaded: string[];
}

async function measure(mode: (typeof MODES)[number]): Promise<Record<ServiceName, Footprint>> {
  const counter = fromRoot('tools', 'dist', 'measure', 'module-count.js');
  const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), `footprint-${mode}-`));
  try {
    return await withTracedChain(
      mode,
      {
        nodeFlags: [...NODE_HEAP_FLAGS, '--require', counter],
        serviceEnv: Object.fromEntries(SERVICES.map((name) => [name, { FOOTPRINT_DIR: reportDir }])),
      },
      async (chain) => {
        const response = await fetch(`${chain.ordersUrl}/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user_id: 1001, product_name: 'Mouse', quantity: 1 }),
          signal: AbortSignal.timeout(15_000),
        });
        if (response.status !== 201) throw new Error(`the order answered ${response.status}: ${await response.text()}`);
        const reports = {} as Record<ServiceName, Footprint>;
        for (const name of SERVICES) {
          const file = path.join(reportDir, `${name}.json`);
          process.kill(chain.services[name].pid!, 'SIGUSR2');
          await waitFor(() => fs.existsSync(file), 5_000, `${name}'s footprint report`);
          reports[name] = JSON.parse(fs.readFileSync(file, 'utf8')) as Footprint;
        }
        return reports;
      },
    );
  } finally {
    fs.rmSync(reportDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const parsed = parseCommandLine(process.argv.slice(2), { json: { type: 'boolean' } } satisfies ParseArgsOptionsConfig);
  if (!parsed.ok) {
    console.error(describeProblem(parsed.problem));
    process.exit(2);
  }
  if (!collectorIsBuilt()) {
    console.error('the collector is not built: run bash scripts/setup.sh');
    process.exit(1);
  }
  const results: Record<string, Record<ServiceName, Footprint>> = {};
  for (const mode of MODES) results[mode] = await measure(mode);
  if (parsed.values.json) {
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  const rows = MODES.flatMap((mode) =>
    SERVICES.map((name) => {
      const { modules, rssBytes, loaded } = results[mode]![name];
      return [mode, name, String(modules), (rssBytes / 2 ** 20).toFixed(1), loaded.join(', ')];
    }),
  );
  printTable(
    ['mode', 'service', 'modules loaded', 'RSS MB', 'packages loaded (of fastify, express, better-sqlite3, undici, sdk-node)'],
    rows,
  );
}

main().catch((error: unknown) => {
  console.error(`footprint failed: ${(error as Error).message}`);
  process.exit(1);
});
