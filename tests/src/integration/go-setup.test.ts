import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fromRoot } from '@demo/tools';
import { pinned } from '../harness/versions';

// scripts/setup-go.sh on a machine without Go (Debian bookworm's golang-go 1.19 is too old for
// the collector builder): it installs GO_VERSION of .env from the Go module proxy (the
// golang.org/toolchain zip GOTOOLCHAIN downloads), checked against sum.golang.org, into
// GO_INSTALL_DIR (a temporary directory here, never .tools/go), and setup-collector.sh uses it
// instead of giving up. The first test downloads for real, from an empty module cache.

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'go-setup-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const version = pinned('GO_VERSION');
const arch = (
  {
    x64: 'amd64',
    arm64: 'arm64',
    arm: 'armv6l',
    ia32: '386',
    ppc64: 'ppc64le',
    s390x: 's390x',
    riscv64: 'riscv64',
    loong64: 'loong64',
  } as Record<string, string>
)[process.arch]!;
const moduleVersion = `v0.0.1-go${version}.linux-${arch}`;
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** PATH without any directory that holds a `go` (such as /usr/local/go/bin). */
function pathWithoutGo(): string {
  const dirs = (process.env.PATH ?? '')
    .split(':')
    .filter((dir) => dir && dir !== '/usr/local/go/bin' && !fs.existsSync(path.join(dir, 'go')));
  for (const tool of ['bash', 'curl', 'unzip', 'sha256sum'])
    assert.ok(
      dirs.some((dir) => fs.existsSync(path.join(dir, tool))),
      `${tool} is not on PATH`,
    );
  return dirs.join(':');
}

/** The environment of a machine without Go: no go on PATH, no GOROOT, an empty module cache. */
function noGoEnv(installDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: pathWithoutGo(), GO_INSTALL_DIR: installDir, ...extra };
  for (const name of ['GOROOT', 'GOTOOLCHAIN', 'GOFLAGS']) if (!(name in extra)) delete env[name];
  env.GOMODCACHE ??= path.join(tmp, 'empty-modcache');
  return env;
}

function bash(args: string[], env: NodeJS.ProcessEnv) {
  const result = spawnSync('bash', args, { cwd: fromRoot(), env, encoding: 'utf8', timeout: 300_000 });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

const installDir = path.join(tmp, 'go');

test(`from nothing: setup-go.sh installs Go ${version} from the module proxy into GO_INSTALL_DIR`, () => {
  assert.equal(spawnSync('bash', ['-c', 'command -v go'], { env: noGoEnv(installDir) }).status, 1, 'a go is still on PATH');
  const started = performance.now();
  const { status, output } = bash(['scripts/setup-go.sh'], noGoEnv(installDir));
  const seconds = (performance.now() - started) / 1000;
  console.log(`setup-go.sh from nothing: ${seconds.toFixed(1)} s\n${output}`);
  assert.equal(status, 0, output);
  assert.match(output, new RegExp(`downloading Go ${literal(version)} \\(golang\\.org/toolchain@${literal(moduleVersion)}`));
  assert.match(output, /h1:\S+ matches sum\.golang\.org/);

  const go = path.join(installDir, 'bin', 'go');
  const env = { ...noGoEnv(installDir), GOTOOLCHAIN: 'local' };
  assert.equal(spawnSync(go, ['version'], { env, encoding: 'utf8' }).stdout.trim(), `go version go${version} linux/${arch}`);
  const goroot = spawnSync(go, ['env', 'GOROOT'], { env, encoding: 'utf8' }).stdout.trim();
  assert.equal(fs.realpathSync(goroot), fs.realpathSync(installDir));
  assert.ok(goroot.startsWith(tmp), goroot);
  assert.deepEqual(
    fs.readdirSync(tmp).filter((name) => name.startsWith('.go-install')),
    [],
    'the download directory is left behind',
  );
});

test('sourced (as setup-collector.sh does): the installed Go is first on PATH, even with a stale GOROOT, and not downloaded again', () => {
  const script = 'set -euo pipefail; source scripts/setup-go.sh; echo "go=$(command -v go)"; echo "goroot=$(go env GOROOT)"; go version';
  const { status, output } = bash(['-c', script], noGoEnv(installDir, { GOROOT: '/usr/local/go' }));
  assert.equal(status, 0, output);
  assert.doesNotMatch(output, /downloading/);
  assert.match(output, new RegExp(`^go=${literal(path.join(installDir, 'bin', 'go'))}$`, 'm'));
  assert.match(output, new RegExp(`^goroot=${literal(installDir)}$`, 'm'));
  assert.match(output, new RegExp(`go version go${literal(version)} `));
});

/** A zip (stored, no compression) of executable files, as unzip reads it. */
function zipOf(files: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    const nameBytes = Buffer.from(name);
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so unzip keeps the mode below
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE((0o100755 << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

test('a zip in the module cache is used, and refused when it is not the one sum.golang.org knows', () => {
  // A "Go" that says it is the pinned version: only the checksum database can tell.
  const modcache = path.join(tmp, 'modcache');
  const cached = path.join(modcache, 'cache', 'download', 'golang.org', 'toolchain', '@v', `${moduleVersion}.zip`);
  fs.mkdirSync(path.dirname(cached), { recursive: true });
  const fake = `#!/bin/sh\necho "go version go${version} linux/${arch}"\n`;
  fs.writeFileSync(cached, zipOf({ [`golang.org/toolchain@${moduleVersion}/bin/go`]: fake }));
  const target = path.join(tmp, 'go-from-cache');
  const { status, output } = bash(['scripts/setup-go.sh'], noGoEnv(target, { GOMODCACHE: modcache }));
  assert.notEqual(status, 0, output);
  assert.match(output, new RegExp(`Go ${literal(version)} from the module cache`));
  assert.match(output, /hashes to h1:\S+, sum\.golang\.org says h1:\S+/);
  assert.equal(fs.existsSync(target), false, 'the refused Go was installed');
});

test('a fresh copy with no Go on PATH: setup-collector.sh installs Go and builds a collector that runs', () => {
  const copy = path.join(tmp, 'clone');
  for (const item of ['scripts', 'collector', '.env']) fs.cpSync(fromRoot(item), path.join(copy, item), { recursive: true });
  assert.doesNotMatch(fs.readFileSync(path.join(copy, 'scripts', 'setup-collector.sh'), 'utf8'), /Go is needed/);
  // The machine's module and build caches (warm from setup.sh's own build), so this takes
  // seconds; the Go itself comes from nothing, into the copy's .tools/go.
  const env: NodeJS.ProcessEnv = {
    ...noGoEnv(path.join(copy, '.tools', 'go')),
    GOMODCACHE: process.env.GOMODCACHE ?? path.join(os.homedir(), 'go', 'pkg', 'mod'),
  };
  delete env.GO_INSTALL_DIR;
  const started = performance.now();
  const result = spawnSync('bash', ['scripts/setup-collector.sh'], { cwd: copy, env, encoding: 'utf8', timeout: 600_000 });
  const output = `${result.stdout}${result.stderr}`;
  console.log(`setup-collector.sh with no Go on PATH: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  assert.equal(result.status, 0, output);
  assert.match(output, new RegExp(`setup-go: using go version go${literal(version)} .* from ${literal(path.join(copy, '.tools', 'go'))}`));
  const binary = spawnSync('bash', ['scripts/collector-path.sh'], { cwd: copy, encoding: 'utf8' }).stdout.trim();
  const collector = spawnSync(path.join(copy, binary), ['--version'], { encoding: 'utf8' });
  assert.match(collector.stdout, new RegExp(`version ${literal(pinned('COLLECTOR_VERSION'))}`), collector.stderr);
});
