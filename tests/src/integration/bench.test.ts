import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fromRoot } from '@demo/tools';

// `npm run bench` as docs/benchmarks.md and docs/benchmarks-levers.md give it, shortened: the
// tool runs each configuration for real (the chain, the collector, the load process) and
// prints the tables those pages quote. This checks that it still does, not how fast anything is.

interface BenchJson {
  results: {
    config: string;
    requestsPerSec: number;
    errors: number;
    non2xx: number;
    cpuMsPerRequest: Record<string, number>;
    v8WorkerShare: number;
    startupMs: Record<string, number>;
  }[];
}

test('npm run bench: two rounds of off and sdk, each table printed, the medians over the rounds, the JSON written', () => {
  const args = ['run', '-s', 'bench', '--', '--configs', 'off,sdk,off,sdk', '--duration', '2', '--warmup', '1', '--concurrency', '4'];
  const run = spawnSync('npm', args, { cwd: fromRoot(), encoding: 'utf8', timeout: 240_000 });
  assert.equal(run.status, 0, run.stderr);
  const out = run.stdout;

  // The first table: a row per configuration run, in order, none with an error.
  const rows = out
    .split('\n')
    .filter((line) => /^(off|sdk)\s+\d+\s/.test(line))
    .slice(0, 4);
  assert.deepEqual(
    rows.map((row) => row.split(/\s+/)[0]),
    ['off', 'sdk', 'off', 'sdk'],
    out,
  );
  for (const row of rows) assert.equal(row.split(/\s+/)[5], '0', `errors column: ${row}`);
  assert.match(out, /CPU ms per request/);
  assert.match(out, /^Start-up, ms from spawn until \/health answers/m);
  assert.match(out, /Medians over the rounds/);
  assert.match(out, /^sdk\s+2\s+\d+\s+\d+%/m, 'sdk: two rounds, a median and its ratio to off');

  const file = /^JSON: (\S+)$/m.exec(out)?.[1];
  assert.ok(file, out);
  const json = JSON.parse(fs.readFileSync(fromRoot(file), 'utf8')) as BenchJson;
  fs.rmSync(fromRoot(file));
  assert.deepEqual(
    json.results.map((r) => r.config),
    ['off', 'sdk', 'off', 'sdk'],
  );
  for (const result of json.results) {
    assert.ok(result.requestsPerSec > 0, result.config);
    assert.equal(result.errors + result.non2xx, 0, result.config);
    assert.ok(result.v8WorkerShare >= 0 && result.v8WorkerShare < 1, `${result.config}: ${result.v8WorkerShare}`);
    assert.ok(result.startupMs.pricing! > 0, `${result.config}: pricing's start-up not measured`);
    for (const process of ['orders', 'inventory', 'pricing', 'notifications', 'load']) {
      assert.ok(result.cpuMsPerRequest[process]! > 0, `${result.config}: no CPU counted for ${process}`);
    }
  }
  // Only sdk exports telemetry: the collector works for it, and hardly at all for off.
  const collector = (config: string) => json.results.find((r) => r.config === config)!.cpuMsPerRequest['otel-collector']!;
  assert.ok(collector('sdk') > collector('off'), JSON.stringify(json.results.map((r) => r.cpuMsPerRequest)));
});

test('npm run footprint: each service loads its own framework and nothing of the other, and untraced no SDK', () => {
  const run = spawnSync('npm', ['run', '-s', 'footprint', '--', '--json'], { cwd: fromRoot(), encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.status, 0, run.stderr);
  const footprint = JSON.parse(run.stdout) as Record<
    'off' | 'off-every-entry' | 'sdk' | 'sdk-every-entry',
    Record<string, { modules: number; rssBytes: number; loaded: string[] }>
  >;
  // The frameworks of README.md's service table; every service keeps its own SQLite file, and
  // notifications calls nobody, so it has no HTTP client.
  const expected: Record<string, string[]> = {
    orders: ['fastify', 'better-sqlite3', 'undici'],
    inventory: ['express', 'better-sqlite3', 'undici'],
    pricing: ['express', 'better-sqlite3', 'undici'],
    notifications: ['fastify', 'better-sqlite3'],
  };
  for (const [service, packages] of Object.entries(expected)) {
    assert.deepEqual(footprint.off[service]!.loaded, packages, `${service}, untraced`);
    assert.deepEqual(footprint.sdk[service]!.loaded, [...packages, '@opentelemetry/sdk-node'], `${service}, with the SDK`);
    assert.ok(footprint.sdk[service]!.modules > footprint.off[service]!.modules, `${service}: the SDK adds modules`);
    assert.ok(footprint.off[service]!.rssBytes > 10 * 2 ** 20, `${service}: an RSS in bytes`);
    // Every entry point preloaded, as the one entry point once re-exported them: more modules, both frameworks.
    assert.ok(footprint['off-every-entry'][service]!.modules > footprint.off[service]!.modules, `${service}: what the split saves`);
    assert.deepEqual(footprint['off-every-entry'][service]!.loaded, ['fastify', 'express', 'better-sqlite3', 'undici'], service);
  }
});
