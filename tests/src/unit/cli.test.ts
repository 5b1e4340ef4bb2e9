import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fromRoot, parseCommandLine } from '@demo/tools';

// The command lines of the tools (npm run local, bench, bench-logs, outage): util.parseArgs
// underneath (cli.ts), bad input answered with a message naming the argument and exit code 2
// (local) or an error (the others), before anything starts.

const OPTIONS = { mode: { type: 'string' }, load: { type: 'boolean' }, env: { type: 'string', multiple: true } } as const;

test('parseCommandLine: values, and the first bad argument as a value', () => {
  assert.deepEqual(parseCommandLine(['--mode', 'envoy', '--load', '--env', 'A=1', '--env=B=2'], OPTIONS), {
    ok: true,
    values: { mode: 'envoy', load: true, env: ['A=1', 'B=2'] },
  });
  assert.deepEqual(parseCommandLine(['--mode=none'], OPTIONS), { ok: true, values: { mode: 'none' } });
  assert.deepEqual(parseCommandLine(['--nope'], OPTIONS), { ok: false, problem: { kind: 'unknown', argument: '--nope' } });
  assert.deepEqual(parseCommandLine(['stray'], OPTIONS), { ok: false, problem: { kind: 'unknown', argument: 'stray' } });
  assert.deepEqual(parseCommandLine(['--load', '--mode'], OPTIONS), { ok: false, problem: { kind: 'needs-value', argument: '--mode' } });
  assert.deepEqual(parseCommandLine(['--load=yes'], OPTIONS), { ok: false, problem: { kind: 'takes-no-value', argument: '--load' } });
});

const local = (...args: string[]) =>
  spawnSync(process.execPath, [fromRoot('tools', 'dist', 'runner', 'local.js'), ...args], { encoding: 'utf8', timeout: 10_000 });

test('npm run local: bad input exits 2 with a message naming it and the usage, before starting anything', () => {
  const cases: [string[], RegExp][] = [
    [['--mode', 'bogus'], /^unknown mode "bogus"\n/],
    [['--mode=sdk', '--foo'], /^unknown argument "--foo"\n/],
    [['extra'], /^unknown argument "extra"\n/],
    [['--mode'], /^--mode needs a value: one of sdk, none, envoy, envoy-propagation, zero-code, off\n/],
    [['--tail-sampling=on'], /^--tail-sampling takes no value\n/],
  ];
  for (const [args, message] of cases) {
    const result = local(...args);
    assert.equal(result.status, 2, args.join(' '));
    assert.match(result.stderr, message, args.join(' '));
    assert.match(
      result.stdout,
      /^usage: npm run local -- --mode <sdk\|none\|envoy\|envoy-propagation\|zero-code\|off> \[--load\] \[--tail-sampling\]/,
    );
  }
  const help = local('-h');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--tail-sampling +the collector keeps errors/);
});

const bench = (...args: string[]) =>
  spawnSync(process.execPath, [fromRoot('tools', 'dist', 'measure', 'bench.js'), ...args], { encoding: 'utf8', timeout: 10_000 });

test('npm run bench: bad input fails with a message naming it, before starting anything', () => {
  const cases: [string[], RegExp][] = [
    [['--duration'], /--duration needs a value/],
    [['--nope', '3'], /unknown option --nope/],
    [['--configs', 'sdk,x'], /unknown config "x"/],
    [['--concurrency', '0'], /duration, warmup and concurrency must be positive numbers/],
    [['--cpu-prof=1'], /--cpu-prof takes no value/],
  ];
  for (const [args, message] of cases) {
    const result = bench(...args);
    assert.notEqual(result.status, 0, args.join(' '));
    assert.match(result.stderr, message, args.join(' '));
  }
});

const tool = (script: string, ...args: string[]) =>
  spawnSync(process.execPath, [fromRoot('tools', 'dist', 'measure', script), ...args], { encoding: 'utf8', timeout: 10_000 });

test('npm run outage and npm run bench-logs: bad input fails with a message naming it, before starting anything', () => {
  const cases: [string, string[], RegExp][] = [
    ['outage.js', ['--rate'], /--rate needs a value/],
    ['outage.js', ['--rate', '-3'], /--rate must be a positive number, got "-3"/],
    ['outage.js', ['--json=yes'], /--json takes no value/],
    ['outage.js', ['--scenarios', 'flood'], /unknown scenario "flood"/],
    ['outage.js', ['stray'], /unknown option stray/],
    ['bench-logs.js', ['--rounds', 'two'], /--rounds must be a positive number, got "two"/],
    ['bench-logs.js', ['--nope'], /unknown option --nope/],
  ];
  for (const [script, args, message] of cases) {
    const result = tool(script, ...args);
    assert.notEqual(result.status, 0, `${script} ${args.join(' ')}`);
    assert.match(result.stderr, message, `${script} ${args.join(' ')}`);
  }
});
