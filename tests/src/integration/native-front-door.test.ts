import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { COLLECTOR_BINARY, describePortHolder, fromRoot, portIsFree, sleep, waitFor } from '@demo/tools';

// The front door, as a newcomer walks through it: a copy of the repository in a fresh
// directory, and the commands of the README's "Without Docker" block, read from README.md
// and run in bash exactly as written. Then the promises the README makes about it: an order
// shows up as one connected trace, Ctrl-C (or SIGTERM) stops everything, and a busy port
// makes it fail at once, naming the port and its holder, leaving nothing behind.
//
// It runs on the seed's fixed ports (8000, 4317, ...), so nothing else may use them meanwhile;
// the other integration tests use random ports.

const HEADING = '## Without Docker: `npm run local`';
/** The long-running line of the block: run in the background, then stopped by the test. */
const RUN_COMMAND = /^npm run local\b/;
const BANNER = 'Each order is summarised below';
/** What npm run local -- --mode sdk listens on: services, collector, receiver, web UI. */
const PORTS = [8000, 3001, 8080, 8081, 4317, 4318, 8889, 13133, 8888, 4320, 8088];
// setup.sh's slow installs (Node, npm ci, the collector and compose-check built with Go,
// Envoy's wheel) are reused from this checkout, so the test takes a minute rather than many:
// setup.sh then finds them in place and skips them, which is its second-run path. Its install
// paths are exercised by CI, which runs scripts/test.sh (and so setup.sh) in a fresh clone.
// .tools/node is there only when the machine's Node is older than 24 (or the stand-ins needed it).
// The collector's directory is named after its manifest's hash (scripts/collector-path.sh).
const REUSED = [
  path.dirname(path.relative(fromRoot(), COLLECTOR_BINARY)),
  '.tools/envoy-venv',
  '.tools/compose-check',
  '.tools/go-bin',
  '.tools/helm',
];
const REUSED_IF_PRESENT = ['.tools/node'];

let clone: string;
const runs: Run[] = [];
let holder: net.Server | undefined;

before(() => {
  for (const tool of [...REUSED, 'node_modules']) {
    assert.ok(fs.existsSync(fromRoot(tool)), `${tool} is missing in ${fromRoot()}: run bash scripts/setup.sh there first`);
  }
  clone = copyWorkingTree();
});

before(async () => {
  for (const port of PORTS) {
    assert.ok(await portIsFree(port), `port ${port} is ${describePortHolder(port)}; this test needs the seed's ports free`);
  }
});

after(async () => {
  holder?.close();
  // Whatever a failed test left: every process group we started, then anything still running
  // from inside the copy (each by its pid: only processes this test started live there).
  for (const run of runs) run.kill();
  if (clone) {
    for (const { pid } of processesInside(clone)) killQuietly(pid, 'SIGKILL');
    await sleep(200);
    fs.rmSync(clone, { recursive: true, force: true });
  }
});

test(
  'README "Without Docker": setup, npm run local -- --mode sdk, an order traced through all four services, Ctrl-C stops everything',
  { timeout: 15 * 60_000 },
  async () => {
    const run = startReadmeBlock();
    await run.waitForOutput(BANNER, 12 * 60_000);

    const response = await fetch('http://127.0.0.1:8000/orders', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user_id: 1001, product_name: 'Laptop', quantity: 2 }),
    });
    const body = (await response.json()) as { trace_id?: string; order_id?: number };
    assert.equal(response.status, 201, JSON.stringify(body));
    assert.match(body.trace_id ?? '', /^[0-9a-f]{32}$/);
    // The runner's line per order (tools/src/runner/order-report.ts), once its late spans are in.
    const orderLine = new RegExp(
      `^order ${body.order_id}: 1 trace \\[orders → inventory → pricing → notifications\\] nothing broken$`,
      'm',
    );
    await run.waitForOutput(orderLine, 60_000);

    // Ctrl-C: the terminal sends SIGINT to its whole foreground process group.
    run.signalGroup('SIGINT');
    await run.waitForExit(15_000);
    await assertNothingLeft();
  },
);

test(
  'a port already in use: npm run local fails at once, naming the port and its holder, and starts nothing',
  { timeout: 5 * 60_000 },
  async () => {
    holder = net.createServer();
    await new Promise<void>((resolve) => holder!.listen(8081, '127.0.0.1', resolve));

    const run = startReadmeBlock();
    await run.waitForOutput('$ npm run local', 4 * 60_000); // after setup.sh's second, quick run
    const code = await run.waitForExit(20_000);
    assert.notEqual(code, 0, run.tail());
    assert.match(run.output, new RegExp(`port 8081\\b.*held by pid ${process.pid}\\b`), run.tail());

    await new Promise((resolve) => holder!.close(resolve));
    holder = undefined;
    await assertNothingLeft();
  },
);

// SIGTERM as `kill <pid>` or a supervisor sends it: to one process, so no child hears it from
// anyone but the runner. Sent to npm, it ends npm and its `sh -c` but never reaches the runner,
// which has to notice on its own.
const sigtermTargets = {
  'the runner (node tools/dist/runner/local.js)': (argv: string[]) => argv[1] === 'tools/dist/runner/local.js',
  'npm run local': (argv: string[]) => /^npm run local\b/.test(argv.join(' ')) || /npm-cli\.js$/.test(argv[1] ?? ''),
};
for (const [target, matches] of Object.entries(sigtermTargets)) {
  test(`SIGTERM to ${target} stops everything it started`, { timeout: 5 * 60_000 }, async () => {
    const run = startReadmeBlock();
    await run.waitForOutput(BANNER, 4 * 60_000);
    const receiver = processesInside(clone).find(({ argv }) => matches(argv));
    assert.ok(receiver, `no ${target} among ${JSON.stringify(processesInside(clone))}`);
    process.kill(receiver.pid, 'SIGTERM');
    await run.waitForExit(15_000);
    await assertNothingLeft();
  });
}

async function assertNothingLeft(): Promise<void> {
  assert.deepEqual(processesInside(clone), [], 'processes of the copy still running');
  const listening: string[] = [];
  for (const port of PORTS) if (!(await portIsFree(port))) listening.push(`${port} ${describePortHolder(port)}`);
  assert.deepEqual(listening, [], 'ports still in use');
}

// ---- The copy of the repository --------------------------------------------------------

/**
 * A clone of the working tree rather than of HEAD, so uncommitted changes are tested too:
 * the tracked and the untracked-but-not-ignored files (no data/, node_modules, dist, .tools).
 */
function copyWorkingTree(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'native-front-door-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: fromRoot(),
    encoding: 'utf8',
  });
  for (const file of files.split('\0').filter(Boolean)) {
    const source = fromRoot(file);
    if (!fs.existsSync(source)) continue; // deleted in the working tree, not yet in the index
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    // A symlink stays a symlink (the chart's files/ point into the repository), even to a folder.
    if (fs.lstatSync(source).isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(source), path.join(dir, file));
    else fs.copyFileSync(source, path.join(dir, file));
  }
  fs.mkdirSync(path.join(dir, '.tools'));
  for (const tool of [...REUSED, ...REUSED_IF_PRESENT.filter((tool) => fs.existsSync(fromRoot(tool)))])
    fs.symlinkSync(fromRoot(tool), path.join(dir, tool));
  // Hard links: a copy in a second, not 400 MB. npm ci (should setup.sh run it) replaces
  // files rather than writing into them, so the checkout's node_modules stays untouched.
  execFileSync('cp', ['-al', fromRoot('node_modules'), path.join(dir, 'node_modules')]);
  return dir;
}

// ---- The README's commands ---------------------------------------------------------------

/** The lines of the first ```bash block after the heading, comments and blank lines dropped. */
function readmeCommands(): string[] {
  const readme = fs.readFileSync(fromRoot('README.md'), 'utf8');
  const section = readme.indexOf(`${HEADING}\n`);
  assert.ok(section >= 0, `README.md has no heading "${HEADING}"`);
  const block = /```bash\n([\s\S]*?)\n```/.exec(readme.slice(section));
  assert.ok(block, `no bash block after "${HEADING}"`);
  const commands = block[1]!.split('\n').map(stripComment).filter(Boolean);
  assert.ok(RUN_COMMAND.test(commands.at(-1) ?? ''), `the block's last command is not npm run local: ${JSON.stringify(commands)}`);
  return commands;
}

/** The line up to an unquoted # that starts a word, trimmed. */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '#' && (i === 0 || /\s/.test(line[i - 1]!))) {
      return line.slice(0, i).trim();
    }
  }
  return line.trim();
}

/**
 * One bash runs the block's lines in order, as a user's shell would (so `export PATH=...`
 * holds for the lines after it), each announced with "$ <line>". It gets a process group of
 * its own, like a terminal's foreground job, so the test can send it a Ctrl-C.
 */
function startReadmeBlock(): Run {
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  const script = ['set -e', ...readmeCommands().flatMap((line) => [`printf '\\n$ %s\\n' ${quote(line)}`, line])].join('\n');
  const child = spawn('bash', ['-c', script], { cwd: clone, env: userEnvironment(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const run = new Run(child);
  runs.push(run);
  return run;
}

/** This environment without what the test runner adds, nor this checkout's Node on PATH. */
function userEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env))
    if (name.startsWith('NODE_TEST') || name.startsWith('npm_') || name === 'NODE_OPTIONS') delete env[name];
  env.PATH = (env.PATH ?? '')
    .split(':')
    .filter((dir) => !dir.startsWith(fromRoot()))
    .join(':');
  return env;
}

class Run {
  output = '';
  private readonly closed: Promise<number | null>;
  private exitCode: number | null | undefined;

  constructor(private readonly child: ChildProcess) {
    for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    // 'close' rather than 'exit': the pipes close only once everything holding them (npm,
    // the runner) is gone, not just bash.
    this.closed = new Promise((resolve) => child.once('close', (code) => resolve((this.exitCode = code))));
  }

  async waitForOutput(expected: string | RegExp, timeoutMs: number): Promise<void> {
    const found = () => (typeof expected === 'string' ? this.output.includes(expected) : expected.test(this.output));
    try {
      await waitFor(() => found() || this.exitCode !== undefined, timeoutMs, String(expected));
    } catch {
      assert.fail(`no ${expected} in the output within ${timeoutMs} ms:\n${this.tail()}`);
    }
    assert.ok(found(), `exited (code ${this.exitCode}) before printing ${expected}:\n${this.tail()}`);
  }

  /** Resolves with the exit code; fails if it takes longer than timeoutMs. */
  async waitForExit(timeoutMs: number): Promise<number | null> {
    const timeout = sleep(timeoutMs).then(() => 'timeout' as const);
    const result = await Promise.race([this.closed, timeout]);
    assert.notEqual(result, 'timeout', `still running ${timeoutMs} ms later:\n${this.tail()}`);
    return result as number | null;
  }

  signalGroup(signal: NodeJS.Signals): void {
    process.kill(-this.child.pid!, signal);
  }

  /** Cleanup after a failure: SIGKILL to the whole group, if it is still there. */
  kill(): void {
    if (this.exitCode === undefined) killQuietly(-this.child.pid!, 'SIGKILL');
  }

  tail(lines = 60): string {
    return this.output.split('\n').slice(-lines).join('\n');
  }
}

// ---- Processes ---------------------------------------------------------------------------

/** Live processes whose working directory or command line is inside dir (this one excepted). */
function processesInside(dir: string): { pid: number; argv: string[] }[] {
  const found: { pid: number; argv: string[] }[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
      if (cwd === dir || cwd.startsWith(`${dir}/`) || argv.some((arg) => arg.includes(dir))) found.push({ pid, argv });
    } catch {
      // exited while we looked, or a zombie without a cwd
    }
  }
  return found;
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
