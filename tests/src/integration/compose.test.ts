import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { fromRoot, NODE_HEAP_FLAGS, PRICING_PRELOAD, ZERO_CODE_ENV } from '@demo/tools';
import { pinned, upstreamImages } from '../harness/versions';

// The compose files as compose-go (the library `docker compose` is built on;
// tools/compose-check) resolves them, checked for what each mode promises, in every mode,
// the eBPF one included, which cannot run here. The configs they mount are cross-checked
// too. compose-stack.test.ts runs the stacks themselves under Docker Engine.

const COMPOSE_CHECK = fromRoot('.tools', 'compose-check', 'compose-check');
const FILES = {
  sdk: 'docker-compose.yml',
  envoy: 'docker-compose-envoy.yml',
  'envoy-propagation': 'docker-compose-envoy-propagation.yml',
  'zero-code': 'docker-compose-zero-code.yml',
  ebpf: 'docker-compose-ebpf.yml',
} as const;
type ComposeMode = keyof typeof FILES;
const MiB = 1024 * 1024;

interface Service {
  image?: string;
  environment?: Record<string, string | null>;
  ports?: { host_ip?: string; target: number; published?: string }[];
  healthcheck?: { test?: string[]; disable?: boolean };
  mem_limit?: number | string;
  network_mode?: string;
  networks?: Record<string, { aliases?: string[] } | null>;
  pid?: string;
  depends_on?: Record<string, { condition: string }>;
  volumes?: { type: string; source: string; target: string }[];
  profiles?: string[];
  restart?: string;
}
interface Project {
  name: string;
  services: Record<string, Service>;
}

function load(file: string, profiles: string[] = [], env: Record<string, string> = {}): Project {
  const args = [...profiles.flatMap((profile) => ['--profile', profile]), fromRoot(file)];
  return JSON.parse(execFileSync(COMPOSE_CHECK, args, { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } })) as Project;
}

const projects = Object.fromEntries(Object.entries(FILES).map(([mode, file]) => [mode, load(file, ['load'])])) as Record<
  ComposeMode,
  Project
>;
const env = (mode: ComposeMode, service: string) => projects[mode].services[service]?.environment ?? {};

test('every compose file loads with compose-go, as one project named otel-demo', () => {
  for (const [mode, project] of Object.entries(projects)) {
    assert.equal(project.name, 'otel-demo', mode);
    for (const service of [
      'orders',
      'inventory',
      'pricing',
      'notifications',
      'web-ui',
      'otel-collector',
      'tempo',
      'loki',
      'prometheus',
      'grafana',
      'load-generator',
    ]) {
      assert.ok(project.services[service], `${mode}: no ${service}`);
    }
  }
});

test('the loader rejects what docker compose would: network_mode of an undefined service', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-'));
  fs.writeFileSync(
    path.join(dir, 'bad.yml'),
    'services:\n  envoy:\n    image: envoyproxy/envoy:v1.40.0\n    network_mode: "service:pricing"\n',
  );
  const result = spawnSync(COMPOSE_CHECK, [path.join(dir, 'bad.yml')], { encoding: 'utf8' });
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /pricing/);
  fs.rmSync(dir, { recursive: true });
});

test('every image is pinned to a version, never latest', () => {
  for (const [mode, project] of Object.entries(projects)) {
    for (const [name, service] of Object.entries(project.services)) {
      assert.match(service.image ?? '', /^[\w./-]+:v?\d+\.\d+\.\d+[\w.-]*$/, `${mode}/${name}: image ${service.image}`);
    }
  }
});

test('every container has a memory limit, and docs/architecture.md gives their true sum per mode', () => {
  const page = fs.readFileSync(fromRoot('docs/architecture.md'), 'utf8');
  const totals: Record<string, number> = {};
  for (const [mode, project] of Object.entries(projects)) {
    let total = 0;
    for (const [name, service] of Object.entries(project.services)) {
      const limit = Number(service.mem_limit); // compose-go writes byte sizes as strings
      assert.ok(limit > 0, `${mode}/${name} has no memory limit`);
      // A one-shot (otel-collector-queue-owner) has exited before the rest runs.
      if (service.restart !== 'no') total += limit;
    }
    totals[mode] = total / MiB;
    assert.match(
      page,
      new RegExp(`\\| ${mode} \\| ${totals[mode]} MiB \\|`),
      `docs/architecture.md: the ${mode} row of the memory table must say ${totals[mode]} MiB`,
    );
  }
  console.log(`memory limits, MiB, with the load profile: ${JSON.stringify(totals)}`);
});

test('ports are published on 127.0.0.1 only, as the seed lists them', () => {
  const published = (mode: ComposeMode) =>
    Object.values(projects[mode].services).flatMap((service) =>
      (service.ports ?? []).map((port) => {
        assert.equal(port.host_ip, '127.0.0.1', `${mode}: port ${port.target} is open to every interface`);
        return Number(port.published);
      }),
    );
  const seed = [80, 3000, 9090, 8000, 3001, 8081, 3200, 3100, 4317, 4318];
  for (const mode of Object.keys(FILES) as ComposeMode[]) {
    const ports = published(mode);
    for (const port of seed) assert.ok(ports.includes(port), `${mode}: ${port} not published`);
    assert.equal(new Set(ports).size, ports.length, `${mode}: a port is published twice`);
  }
  for (const mode of ['sdk', 'ebpf'] as const) assert.ok(published(mode).includes(8080), `${mode}: pricing's 8080 not published`);
  for (const mode of ['envoy', 'envoy-propagation'] as const) {
    const ports = published(mode);
    assert.ok(ports.includes(10000) && ports.includes(9901), `${mode}: Envoy ports not published`);
    // pricing listens on its loopback only: publishing 8080 would lead nowhere.
    assert.ok(!ports.includes(8080), `${mode}: 8080 is published, but pricing is reachable only through Envoy`);
  }
});

test('the services and backends have health checks, and start in order', () => {
  for (const [mode, project] of Object.entries(projects)) {
    for (const name of ['orders', 'inventory', 'pricing', 'notifications', 'web-ui', 'tempo', 'loki', 'prometheus', 'grafana']) {
      const check = project.services[name]!.healthcheck;
      assert.ok(check?.test && !check.disable, `${mode}/${name}: no health check`);
    }
    const { services } = project;
    assert.equal(services.orders!.depends_on?.inventory?.condition, 'service_healthy');
    assert.equal(services.inventory!.depends_on?.pricing?.condition, 'service_healthy');
    assert.equal(services.pricing!.depends_on?.notifications?.condition, 'service_healthy');
    assert.equal(services.grafana!.depends_on?.tempo?.condition, 'service_healthy');
    assert.deepEqual(services['load-generator']!.profiles, ['load']);
  }
});

test('sdk mode: pricing preloads the SDK and copies no headers', () => {
  assert.equal(env('sdk', 'pricing').NODE_OPTIONS, '--require @demo/shared/telemetry');
  assert.equal(env('sdk', 'pricing').PROPAGATE_TRACE_HEADERS, 'false');
  assert.equal(env('sdk', 'inventory').PRICING_URL, 'http://pricing:8080');
  assert.equal(projects.sdk.services.envoy, undefined);
});

test("zero-code mode: pricing preloads auto-instrumentations-node's register hook, set as natively by OTEL_* variables only", () => {
  const pricing = env('zero-code', 'pricing');
  assert.equal(pricing.NODE_OPTIONS, `--require ${PRICING_PRELOAD['zero-code']}`);
  for (const [name, value] of Object.entries(ZERO_CODE_ENV)) assert.equal(pricing[name], value, name);
  // Everything else about pricing is the sdk mode's: only what it preloads changed.
  const { NODE_OPTIONS: _zero, ...rest } = pricing;
  const { NODE_OPTIONS: _sdk, ...sdkRest } = env('sdk', 'pricing');
  assert.deepEqual(rest, { ...sdkRest, ...ZERO_CODE_ENV });
  assert.deepEqual([env('zero-code', 'orders').DEMO_MODE, env('zero-code', 'web-ui').DEMO_MODE], ['zero-code', 'zero-code']);
  assert.equal(projects['zero-code'].services.pricing?.mem_limit, projects.sdk.services.pricing?.mem_limit);
});

test('Envoy modes: pricing without SDK, in the network namespace of its Envoy sidecar', () => {
  for (const mode of ['envoy', 'envoy-propagation'] as const) {
    const pricing = env(mode, 'pricing');
    assert.equal(pricing.NODE_OPTIONS, '', mode);
    assert.equal(pricing.HOST, '127.0.0.1', `${mode}: pricing must not be reachable around the sidecar`);
    assert.equal(pricing.NOTIFICATIONS_URL, 'http://127.0.0.1:10001');
    assert.equal(pricing.PROPAGATE_TRACE_HEADERS, mode === 'envoy' ? 'false' : 'true');
    assert.equal(env(mode, 'inventory').PRICING_URL, 'http://pricing:10000');
    // A holder that does nothing else owns the shared namespace, with pricing's name, so
    // either pricing or Envoy can restart into it (a Kubernetes pod's pause container).
    const { envoy, pricing: app, 'pricing-pod': pod } = projects[mode].services;
    assert.equal(app!.network_mode, 'service:pricing-pod');
    assert.equal(envoy!.network_mode, 'service:pricing-pod');
    assert.deepEqual(app!.ports ?? [], []);
    assert.equal(pod!.network_mode, undefined);
    assert.deepEqual(pod!.networks?.default?.aliases, ['pricing']);
    assert.equal(envoy!.image, upstreamImages().envoy);
    assert.ok(envoy!.volumes?.some((v) => v.source === fromRoot('envoy', 'envoy.yaml') && v.target === '/etc/envoy/envoy.yaml'));
    assert.equal(env(mode, 'web-ui').DEMO_MODE, mode);
  }
});

test("every upstream image is the version of .env, read by compose as the project's .env", () => {
  const images = upstreamImages();
  const expected: Record<string, string> = {
    'otel-collector': images.collector,
    tempo: images.tempo,
    loki: images.loki,
    prometheus: images.prometheus,
    grafana: images.grafana,
    envoy: images.envoy,
    'pricing-pod': images.envoy,
    'ebpf-agent': images.obi,
    'otel-collector-queue-owner': images.node,
  };
  for (const [mode, project] of Object.entries(projects)) {
    for (const [name, service] of Object.entries(project.services)) {
      if (service.image?.startsWith('otel-demo/')) continue;
      assert.equal(service.image, expected[name], `${mode}/${name}`);
    }
  }
  // A variable from the shell wins over .env, as with docker compose: one can try another
  // version without editing a file.
  const another = '1.99.0';
  const tried = load(FILES.envoy, [], { ENVOY_VERSION: another });
  assert.equal(tried.services.envoy!.image, `envoyproxy/envoy:v${another}`);
  assert.equal(tried.services['otel-collector']!.image, images.collector);
});

test("eBPF mode: pricing without SDK, in the agent's PID and network namespaces, propagation on", () => {
  const pricing = env('ebpf', 'pricing');
  assert.equal(pricing.NODE_OPTIONS, '');
  assert.equal(pricing.PROPAGATE_TRACE_HEADERS, 'false');
  const obi = projects.ebpf.services['ebpf-agent'];
  assert.ok(obi, 'no OBI agent service');
  assert.equal(obi.image, 'otel/ebpf-instrument:v0.13.0');
  // The agent owns the namespaces, so a restarted pricing rejoins them (as with Envoy).
  assert.equal(projects.ebpf.services.pricing!.pid, 'service:ebpf-agent');
  assert.equal(projects.ebpf.services.pricing!.network_mode, 'service:ebpf-agent');
  assert.deepEqual(obi.networks?.default?.aliases, ['pricing']);
  assert.notEqual(obi.environment?.OTEL_EBPF_BPF_CONTEXT_PROPAGATION, 'disabled');
  // /health is left out of the traces by the YAML file, the only place OBI takes routes from.
  assert.equal(obi.environment?.OTEL_EBPF_CONFIG_PATH, '/etc/obi/config.yaml');
  assert.ok(obi.volumes?.some((v) => v.source === fromRoot('ebpf', 'obi-config.yaml') && v.target === '/etc/obi/config.yaml'));
  assert.deepEqual(YAML.parse(fs.readFileSync(fromRoot('ebpf', 'obi-config.yaml'), 'utf8')).routes.ignored_patterns, ['/health']);
  assert.equal(env('ebpf', 'web-ui').DEMO_MODE, 'ebpf');
});

test('every host a service, the collector, Envoy, Prometheus or Grafana calls is a service in every mode', () => {
  const hostsIn = (text: string) => [...text.matchAll(/https?:\/\/([a-z][\w-]*)(?::\d+)?/g)].map((m) => m[1]!);
  const configs = [
    fs.readFileSync(fromRoot('collector', 'otel-collector-config.yaml'), 'utf8'),
    fs.readFileSync(fromRoot('grafana', 'provisioning', 'datasources', 'datasources.yaml'), 'utf8'),
    fs.readFileSync(fromRoot('tempo', 'tempo.yaml'), 'utf8'),
  ].join('\n');
  const prometheusTargets = (
    YAML.parse(fs.readFileSync(fromRoot('prometheus.yml'), 'utf8')).scrape_configs as {
      static_configs: { targets: string[] }[];
    }[]
  ).flatMap((job) => job.static_configs.flatMap((group) => group.targets.map((target) => target.split(':')[0]!)));
  const envoyHosts = [...fs.readFileSync(fromRoot('envoy', 'envoy.yaml'), 'utf8').matchAll(/address: ([a-z][\w-]*)[,\s}]/g)].map(
    (m) => m[1]!,
  );
  for (const [mode, project] of Object.entries(projects)) {
    const names = new Set([...Object.keys(project.services), 'localhost']);
    const envHosts = Object.values(project.services).flatMap((service) =>
      Object.values(service.environment ?? {}).flatMap((value) => hostsIn(value ?? '')),
    );
    for (const host of [...envHosts, ...hostsIn(configs), ...prometheusTargets, ...envoyHosts]) {
      assert.ok(names.has(host), `${mode}: "${host}" is called but is no service`);
    }
  }
});

test('every file a compose file mounts exists in the repository', () => {
  for (const [mode, project] of Object.entries(projects)) {
    for (const [name, service] of Object.entries(project.services)) {
      for (const volume of service.volumes ?? []) {
        if (volume.type !== 'bind' || !volume.source.startsWith(fromRoot())) continue;
        assert.ok(fs.existsSync(volume.source), `${mode}/${name} mounts ${volume.source}, which does not exist`);
      }
    }
  }
});

test('Grafana: every data source uid the links and the dashboard use is provisioned', () => {
  const datasources = YAML.parse(fs.readFileSync(fromRoot('grafana', 'provisioning', 'datasources', 'datasources.yaml'), 'utf8'))
    .datasources as { uid: string; jsonData?: unknown }[];
  const uids = new Set(datasources.map((ds) => ds.uid));
  assert.deepEqual([...uids].sort(), ['loki', 'prometheus', 'tempo']);
  const referenced = [...JSON.stringify(datasources.map((ds) => ds.jsonData)).matchAll(/"datasourceUid":"([^"]+)"/g)].map((m) => m[1]!);
  assert.ok(referenced.length >= 5, `only ${referenced.length} cross links`);
  const dashboards = fs
    .readdirSync(fromRoot('grafana', 'dashboards'))
    .map((file) => fs.readFileSync(fromRoot('grafana', 'dashboards', file), 'utf8'));
  const inDashboards = dashboards
    .flatMap((json) => [...json.matchAll(/"uid":\s*"(prometheus|tempo|loki|[^"]+)"/g)].map((m) => m[1]!))
    .filter((uid) => !uid.startsWith('otel-demo') && !uid.startsWith('-- '));
  for (const uid of [...referenced, ...inDashboards]) assert.ok(uids.has(uid), `uid "${uid}" is not provisioned`);
});

test("the web UI image: built on the services' Node image, serving from the pinned nginx image", () => {
  const services = fs.readFileSync(fromRoot('services', 'Dockerfile'), 'utf8');
  const webUi = fs.readFileSync(fromRoot('web-ui', 'Dockerfile'), 'utf8');
  const arg = (text: string, name: string) => new RegExp(`^ARG ${name}=(\\S+)$`, 'm').exec(text)?.[1];
  assert.equal(arg(webUi, 'NODE_IMAGE'), arg(services, 'NODE_IMAGE'));
  assert.match(arg(webUi, 'NGINX_IMAGE') ?? '', /^nginx:\d+\.\d+\.\d+-alpine$/);
  assert.equal(projects.sdk.services['web-ui']!.image, 'otel-demo/web-ui:1.0.0');
});

test('both Dockerfiles copy every workspace manifest, which npm ci checks the lockfile against', () => {
  const workspaces = (JSON.parse(fs.readFileSync(fromRoot('package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
  for (const dockerfile of [fromRoot('services', 'Dockerfile'), fromRoot('web-ui', 'Dockerfile')]) {
    const text = fs.readFileSync(dockerfile, 'utf8');
    for (const workspace of workspaces)
      assert.ok(text.includes(`COPY ${workspace}/package.json ${workspace}/\n`), `${dockerfile} does not copy ${workspace}/package.json`);
  }
});

test('the images and the native chain run Node with the same heap limits', () => {
  const dockerfile = fs.readFileSync(fromRoot('services', 'Dockerfile'), 'utf8');
  const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[];
  assert.deepEqual(cmd, ['node', ...NODE_HEAP_FLAGS, 'dist/main.js']);
  assert.match(dockerfile, /^FROM \$\{NODE_IMAGE\}$/m);
  const nodeImage = /^ARG NODE_IMAGE=node:([\d.]+)-/m.exec(dockerfile)![1];
  assert.equal(
    nodeImage,
    pinned('NODE_VERSION'),
    'the tests must run the Node version of the images (scripts/install-node.sh installs NODE_VERSION)',
  );
});

test("head sampling from the shell, as docs/telemetry.md says: OTEL_TRACES_SAMPLER reaches every service's SDK, in every mode", () => {
  const sampled = { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' };
  for (const [mode, file] of Object.entries(FILES)) {
    const withSampling = load(file, [], sampled);
    for (const service of ['orders', 'inventory', 'pricing', 'notifications']) {
      assert.equal(withSampling.services[service]!.environment!.OTEL_TRACES_SAMPLER, 'parentbased_traceidratio', `${mode} ${service}`);
      assert.equal(withSampling.services[service]!.environment!.OTEL_TRACES_SAMPLER_ARG, '0.1', `${mode} ${service}`);
      assert.equal(
        env(mode as ComposeMode, service).OTEL_TRACES_SAMPLER,
        'parentbased_always_on',
        `${mode} ${service}: every trace by default`,
      );
    }
  }
});
