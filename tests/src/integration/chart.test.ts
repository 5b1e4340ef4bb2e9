import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import YAML from 'yaml';
import { fromRoot, PRICING_PRELOAD, ZERO_CODE_ENV } from '@demo/tools';

// The Helm chart (charts/otel-demo), rendered by the real Helm for every mode and checked
// for what each mode promises: which containers pricing's pod has, where its Service points,
// that every config is the repository's own file (no copy), and that every pod but the eBPF
// agent meets the "restricted" Pod Security Standard. Rendering only: no cluster runs here.

const HELM = fromRoot('.tools', 'helm', 'helm');
const CHART = fromRoot('charts', 'otel-demo');
const MODES = ['sdk', 'envoy', 'envoy-propagation', 'zero-code', 'ebpf'] as const;
// `helm template` has no cluster to ask, so it is told the version the chart targets.
const KUBE_VERSION = '1.37.2';

interface Manifest {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: any;
}

function render(mode: string, ...extra: string[]): Manifest[] {
  const out = execFileSync(HELM, ['template', 'otel-demo', CHART, '--kube-version', KUBE_VERSION, '--set', `mode=${mode}`, ...extra], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return YAML.parseAllDocuments(out)
    .map((doc) => doc.toJS() as Manifest)
    .filter(Boolean);
}
const find = (manifests: Manifest[], kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name);
const podSpecOf = (m: Manifest) => (m.kind === 'Pod' ? m.spec : m.spec?.template?.spec);
const envOf = (manifests: Manifest[], deployment: string): Record<string, string> =>
  Object.fromEntries(
    podSpecOf(find(manifests, 'Deployment', deployment)!).containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]),
  );
const rendered = Object.fromEntries(MODES.map((mode) => [mode, render(mode)])) as Record<(typeof MODES)[number], Manifest[]>;

test('helm lint --strict passes in every mode', () => {
  for (const mode of MODES) {
    const result = spawnSync(HELM, ['lint', '--strict', CHART, '--kube-version', KUBE_VERSION, '--set', `mode=${mode}`], {
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, `${mode}: ${result.stdout}${result.stderr}`);
  }
});

// `helm install` validates with the same schema as `helm template` (its client-only twin), but
// only after reaching a cluster, which this file has none of.
test('values.schema.json refuses an unknown mode, naming the five, on template and lint', () => {
  for (const command of [
    ['template', 'x', CHART],
    ['lint', CHART],
  ]) {
    const result = spawnSync(HELM, [...command, '--kube-version', KUBE_VERSION, '--set', 'mode=istio'], { encoding: 'utf8' });
    const said = `${result.stdout}${result.stderr}`;
    assert.notEqual(result.status, 0, said);
    assert.match(said, /at '\/mode': value must be one of 'sdk', 'envoy', 'envoy-propagation', 'zero-code', 'ebpf'/, said);
  }
});

test("pricing's pod: alone in sdk and ebpf; with Envoy as a native sidecar in the Envoy modes, its Service on Envoy's port", () => {
  for (const mode of MODES) {
    const pricing = podSpecOf(find(rendered[mode], 'Deployment', 'pricing')!);
    const service = find(rendered[mode], 'Service', 'pricing')!;
    const env = envOf(rendered[mode], 'pricing');
    const inventoryEnv = envOf(rendered[mode], 'inventory');
    assert.deepEqual(
      pricing.containers.map((c: { name: string }) => c.name),
      ['pricing'],
      mode,
    );
    if (mode === 'envoy' || mode === 'envoy-propagation') {
      assert.deepEqual(
        pricing.initContainers.map((c: { name: string; restartPolicy: string }) => [c.name, c.restartPolicy]),
        [['envoy', 'Always']],
      );
      assert.equal(service.spec.ports[0].targetPort, 10000);
      assert.equal(inventoryEnv.PRICING_URL, 'http://pricing:10000');
      assert.equal(env.NODE_OPTIONS, '', 'no SDK behind the sidecar');
      assert.equal(env.NOTIFICATIONS_URL, 'http://127.0.0.1:10001', "out through the sidecar's egress listener");
      assert.equal(env.PROPAGATE_TRACE_HEADERS, mode === 'envoy-propagation' ? 'true' : 'false');
    } else {
      assert.equal(pricing.initContainers ?? undefined, undefined, mode);
      assert.equal(service.spec.ports[0].targetPort, 8080);
      assert.equal(inventoryEnv.PRICING_URL, 'http://pricing:8080');
    }
  }
  assert.ok(find(rendered.ebpf, 'DaemonSet', 'ebpf-agent'), 'the eBPF agent runs as a DaemonSet');
  // zero-code: the register hook, with the very variables compose and the native runner set.
  const zeroCode = envOf(rendered['zero-code'], 'pricing');
  assert.equal(zeroCode.NODE_OPTIONS, `--require ${PRICING_PRELOAD['zero-code']}`);
  for (const [name, value] of Object.entries(ZERO_CODE_ENV)) assert.equal(zeroCode[name], value, name);
  const memoryOf = (mode: (typeof MODES)[number]) =>
    podSpecOf(find(rendered[mode], 'Deployment', 'pricing')!).containers[0].resources.limits.memory;
  assert.equal(memoryOf('zero-code'), memoryOf('sdk'), 'an SDK is loaded: the full limit');
  for (const mode of MODES) assert.equal(envOf(rendered[mode], 'orders').DEMO_MODE, mode, 'orders names the mode, as web-ui does');
  assert.equal(find(rendered.sdk, 'DaemonSet', 'ebpf-agent'), undefined);
});

test('every config is the repository file itself, byte for byte (one source for compose, native and chart)', () => {
  const same = (mode: (typeof MODES)[number], configMap: string, key: string, file: string) =>
    assert.equal(
      find(rendered[mode], 'ConfigMap', configMap)?.data?.[key]?.trim(),
      fs.readFileSync(fromRoot(file), 'utf8').trim(),
      `${configMap}/${key} vs ${file}`,
    );
  same('sdk', 'otel-collector-config', 'config.yaml', 'collector/otel-collector-config.yaml');
  same('envoy', 'envoy-config', 'envoy.yaml', 'envoy/envoy.yaml');
  same('sdk', 'prometheus-config', 'prometheus.yml', 'prometheus.yml');
  same('sdk', 'prometheus-config', 'alert-rules.yml', 'prometheus/alert-rules.yml');
  same('sdk', 'tempo-config', 'tempo.yaml', 'tempo/tempo.yaml');
  same('sdk', 'loki-config', 'loki-config.yaml', 'loki/loki-config.yaml');
  same('sdk', 'grafana-dashboards', 'otel-demo-services.json', 'grafana/dashboards/otel-demo-services.json');
});

test('collector.tailSampling layers collector/tail-sampling.yaml exactly as compose/tail-sampling.yaml does', () => {
  const collectorOf = (manifests: Manifest[]) => ({
    args: podSpecOf(find(manifests, 'Deployment', 'otel-collector')!).containers[0].args as string[],
    mountPath: podSpecOf(find(manifests, 'Deployment', 'otel-collector')!).containers[0].volumeMounts[0].mountPath as string,
    data: find(manifests, 'ConfigMap', 'otel-collector-config')!.data!,
  });
  const off = collectorOf(rendered.sdk);
  assert.deepEqual(off.args, ['--config=/etc/otelcol/config.yaml']);
  assert.deepEqual(Object.keys(off.data), ['config.yaml']);

  const on = collectorOf(render('envoy', '--set', 'collector.tailSampling=true'));
  const composeOverride = YAML.parse(fs.readFileSync(fromRoot('compose', 'tail-sampling.yaml'), 'utf8'));
  assert.deepEqual(on.args, composeOverride.services['otel-collector'].command);
  assert.equal(on.mountPath, '/etc/otelcol');
  assert.equal(on.data['tail-sampling.yaml']!.trim(), fs.readFileSync(fromRoot('collector', 'tail-sampling.yaml'), 'utf8').trim());
  assert.equal(on.data['config.yaml'], off.data['config.yaml']);
});

test("the collector's queue directory is a volume of its own: an emptyDir by default, any volume source by value", () => {
  const queueOf = (manifests: Manifest[]) => {
    const pod = podSpecOf(find(manifests, 'Deployment', 'otel-collector')!);
    const mount = pod.containers[0].volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/var/lib/otelcol/queue');
    return pod.volumes.find((v: { name: string }) => v.name === mount?.name);
  };
  for (const mode of MODES) assert.deepEqual(queueOf(rendered[mode]), { name: 'queue', emptyDir: {} }, mode);
  const claimed = render(
    'sdk',
    '--set',
    'collector.queue.volume.emptyDir=null,collector.queue.volume.persistentVolumeClaim.claimName=collector-queue',
  );
  assert.deepEqual(queueOf(claimed), { name: 'queue', persistentVolumeClaim: { claimName: 'collector-queue' } });
});

test('every pod meets the restricted Pod Security Standard, except the eBPF agent', () => {
  for (const mode of MODES) {
    for (const manifest of rendered[mode]) {
      const pod = podSpecOf(manifest);
      if (!pod || manifest.metadata.name === 'ebpf-agent') continue;
      const where = `${mode} ${manifest.kind}/${manifest.metadata.name}`;
      assert.ok(!pod.hostPID && !pod.hostNetwork && !pod.hostIPC, `${where}: host namespaces`);
      assert.ok(!(pod.volumes ?? []).some((v: { hostPath?: unknown }) => v.hostPath), `${where}: hostPath`);
      for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
        const security = { ...pod.securityContext, ...container.securityContext };
        const at = `${where} ${container.name}`;
        assert.equal(security.runAsNonRoot, true, `${at}: runAsNonRoot`);
        assert.notEqual(security.runAsUser, 0, `${at}: runAsUser 0`);
        assert.equal(container.securityContext?.allowPrivilegeEscalation, false, `${at}: allowPrivilegeEscalation`);
        assert.deepEqual(container.securityContext?.capabilities?.drop, ['ALL'], `${at}: capabilities`);
        assert.equal(security.seccompProfile?.type, 'RuntimeDefault', `${at}: seccomp`);
        assert.ok(container.resources?.limits?.memory, `${at}: memory limit`);
      }
    }
  }
});
