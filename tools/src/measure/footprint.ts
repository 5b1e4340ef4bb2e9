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
import type { Mode } from '../runner/modes';
import { printTable } from './table';

// npm run footprint [-- --json]
//
// What each service loads: the chain runs natively untraced ("off") and with the SDK ("sdk"),
// each service serves one order, and then reports from inside itself (module-count.ts) how
// many modules it has loaded, its resident memory, and which of the big packages it pulled
// in: a Fastify service should never load Express, nor the other way round. The
// "-every-entry" rows preload all of @demo/shared's framework, SQLite and HTTP entry points
// into every service, as its single entry point once re-exported them: what the split saves,
// side by side in the same run.

const EVERY_ENTRY = ['fastify', 'express', 'sqlite', 'http-client'].flatMap((entry) => ['--require', `@demo/shared/${entry}`]);
const ROWS = {
  off: { mode: 'off', preload: [] },
  'off-every-entry': { mode: 'off', preload: EVERY_ENTRY },
  sdk: { mode: 'sdk', preload: [] },
  'sdk-every-entry': { mode: 'sdk', preload: EVERY_ENTRY },
} as const satisfies Record<string, { mode: Mode; preload: readonly string[] }>;
type Row = keyof typeof ROWS;

export interface Footprint {
  modules: number;
  rssBytes: number;
  loaded: string[];
}

async function measure(row: Row): Promise<Record<ServiceName, Footprint>> {
  const { mode, preload } = ROWS[row];
  const counter = fromRoot('tools', 'dist', 'measure', 'module-count.js');
  const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), `footprint-${row}-`));
  try {
    return await withTracedChain(
      mode,
      {
        nodeFlags: [...NODE_HEAP_FLAGS, '--require', counter, ...preload],
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
  const rows = Object.keys(ROWS) as Row[];
  for (const row of rows) results[row] = await measure(row);
  if (parsed.values.json) {
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  printTable(
    ['row', 'service', 'modules loaded', 'RSS MB', 'packages loaded (of fastify, express, better-sqlite3, undici, sdk-node)'],
    rows.flatMap((row) =>
      SERVICES.map((name) => {
        const { modules, rssBytes, loaded } = results[row]![name];
        return [row, name, String(modules), (rssBytes / 2 ** 20).toFixed(1), loaded.join(', ')];
      }),
    ),
  );
}

main().catch((error: unknown) => {
  console.error(`footprint failed: ${(error as Error).message}`);
  process.exit(1);
});
