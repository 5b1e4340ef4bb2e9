import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fromRoot, sleep, waitFor } from '@demo/tools';
import { postJson } from '../harness/harness';
import { mustRun, run } from '../harness/commands';
import { countBy } from '../harness/load';
import * as stack from '../harness/stack';
import { ORDER, postOrder, type OrderAnswer } from '../harness/stack';
import { pinned, upstreamImages } from '../harness/versions';

// The Helm chart on a real single-node Kubernetes v1.37 (tests/kubernetes/: built from Go
// modules plus Debian's etcd, containerd and CNI plugins), with the project's images and the
// compose test's stand-ins imported into its containerd. For sdk, envoy and
// envoy-propagation: helm install --wait in a namespace that enforces the "restricted" Pod
// Security Standard, one order through the orders Service, the trace shape read back from
// the Tempo stand-in, pricing's containers, helm test, and helm uninstall leaving nothing.
// In envoy mode the README's port-forward commands are run; in the Envoy modes pricing's
// pod is deleted mid-load. The cluster is torn down at the end
// and must leave no address, bridge, iptables chain or mount behind.

const K8S = fromRoot('tests', 'kubernetes');
const KUBECONFIG = '/var/lib/otel-demo-k8s/admin.kubeconfig';
const KUBECTL = fromRoot('.tools', 'kubernetes', 'bin', 'kubectl');
const HELM = fromRoot('.tools', 'helm', 'helm');
const CHART = fromRoot('charts', 'otel-demo');
const STAND_INS = fromRoot('charts', 'otel-demo', 'ci', 'stand-ins-values.yaml');
const NAMESPACE = 'otel-demo';
const RELEASE = 'otel-demo';
const OVERRIDE = fromRoot('tests', 'compose-stack', 'stand-ins.compose.yml');
const IMAGES = [
  'otel-demo/orders:1.0.0',
  'otel-demo/inventory:1.0.0',
  'otel-demo/pricing:1.0.0',
  'otel-demo/notifications:1.0.0',
  'otel-demo/web-ui:1.0.0',
  upstreamImages().collector,
  upstreamImages().envoy,
  upstreamImages().prometheus,
  'otel-demo-stand-in/otlp-receiver:1',
];
const timings: Record<string, string> = {};
const memory: Record<string, Record<string, number>> = {};

// Every kubectl and helm of this file (and of the scripts it runs) talks to the test cluster.
process.env.KUBECONFIG = KUBECONFIG;
// The set-up steps may be slow: the cluster build takes about 15 minutes with cold Go caches.
const LONG = { timeoutMs: 900_000 };
const kubectl = (...args: string[]) => mustRun(KUBECTL, args);
const kubectlJson = (...args: string[]) => JSON.parse(kubectl(...args, '-o', 'json'));
const helm = (...args: string[]) => mustRun(HELM, args);
const timed = <T>(step: string, action: () => T): T => stack.timed(timings, step, action);
const clusterIp = (service: string) => kubectl('-n', NAMESPACE, 'get', 'service', service, '-o', 'jsonpath={.spec.clusterIP}').trim();

/** What the cluster leaves on the host while it runs; empty once it is torn down. */
function clusterTraces(): string[] {
  const found: string[] = [];
  if (run('ip', ['-o', 'addr', 'show', 'dev', 'lo']).stdout.includes('10.213.0.1/32')) found.push('address 10.213.0.1 on lo');
  if (run('ip', ['link', 'show', 'otkbr0']).status === 0) found.push('bridge otkbr0');
  const rules = run('iptables-save', [])
    .stdout.split('\n')
    .filter((line) => /KUBE-|CNI-/.test(line));
  if (rules.length) found.push(`${rules.length} iptables KUBE-/CNI- lines`);
  const mounts = run('cat', ['/proc/mounts'])
    .stdout.split('\n')
    .filter((line) => /otel-demo-k8s|\/var\/lib\/kubelet/.test(line));
  if (mounts.length) found.push(`${mounts.length} mounts`);
  if (run('pgrep', ['-f', 'otel-demo-k8s|kube-apiserver|kubelet']).status === 0) found.push('cluster processes');
  return found;
}

before(() => {
  // The images compose builds, and the stand-ins for the upstream ones (cached after the compose test).
  timed('stand-in images', () => mustRun('bash', [fromRoot('tests', 'compose-stack', 'build-stand-ins.sh')], LONG));
  timed('project images', () =>
    mustRun('docker', ['compose', '-f', 'docker-compose.yml', '-f', OVERRIDE, '--profile', 'load', 'build'], LONG),
  );
  timed('build the cluster (cached)', () => mustRun('bash', [`${K8S}/build-cluster.sh`], LONG));
  timed('cluster up', () => mustRun('bash', [`${K8S}/cluster-up.sh`]));
  timed('import images', () => mustRun('bash', [`${K8S}/import-image.sh`, ...IMAGES], LONG));
});

after(() => {
  run(HELM, ['uninstall', RELEASE, '-n', NAMESPACE, '--wait']);
  run('bash', [`${K8S}/cluster-down.sh`]);
  console.log(`kubernetes: ${JSON.stringify(timings)}`);
  console.log(`kubernetes: memory per container (MiB, working set): ${JSON.stringify(memory)}`);
});

test("server-side dry run: every mode's manifests, eBPF included, are accepted by the API server", () => {
  kubectl('create', 'namespace', 'dry-run');
  try {
    for (const mode of ['sdk', 'envoy', 'envoy-propagation', 'zero-code', 'ebpf']) {
      // --kube-version: `helm template` asks no cluster; the one it will be applied to is 1.37.
      // Tail sampling on in one mode, so its collector args and ConfigMap are checked too.
      const extra = mode === 'envoy' ? ['--set', 'collector.tailSampling=true'] : [];
      const manifests = helm(
        'template',
        RELEASE,
        CHART,
        '-n',
        'dry-run',
        '--kube-version',
        pinned('KUBERNETES_VERSION'),
        '--set',
        `mode=${mode}`,
        ...extra,
      );
      const result = run(KUBECTL, ['apply', '--dry-run=server', '-n', 'dry-run', '-f', '-'], { input: manifests });
      assert.equal(result.status, 0, `${mode}: ${result.stderr}`);
      if (mode === 'ebpf') assert.match(result.stdout, /daemonset.apps\/ebpf-agent created \(server dry run\)/);
    }
  } finally {
    kubectl('delete', 'namespace', 'dry-run', '--wait=false');
  }
});

test('the namespace enforces the restricted Pod Security Standard: it refuses a privileged pod', () => {
  kubectl('create', 'namespace', NAMESPACE);
  kubectl('label', 'namespace', NAMESPACE, 'pod-security.kubernetes.io/enforce=restricted');
  const pod = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'privileged' },
    spec: { containers: [{ name: 'x', image: 'otel-demo-stand-in/otlp-receiver:1', securityContext: { privileged: true } }] },
  });
  const result = run(KUBECTL, ['apply', '--dry-run=server', '-n', NAMESPACE, '-f', '-'], { input: pod });
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /violates PodSecurity "restricted/);
});

// tests/src/harness/stack.ts, through the Services' cluster IPs.
const ordersUrl = (ordersIp: string) => `http://${ordersIp}:8000/orders`;
const tempoUrl = () => `http://${clusterIp('tempo')}:3200`;
const storedSpans = () => stack.storedSpans(tempoUrl());

/** Runs `kubectl port-forward <args>` while `use` runs; fails if it does not forward within 20 s. */
async function withPortForward(args: string[], use: () => Promise<void>): Promise<void> {
  const child = spawn(KUBECTL, ['-n', NAMESPACE, 'port-forward', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  try {
    await waitFor(() => output.includes('Forwarding from 127.0.0.1:'), 20_000, `kubectl port-forward ${args.join(' ')}`).catch(
      (error: Error) => {
        throw new Error(`${error.message}; kubectl said: ${output}`);
      },
    );
    await use();
  } finally {
    child.kill();
  }
}

/** Services per trace of one order, first trace first. */
async function tracesOfOneOrder(ordersIp: string): Promise<string[][]> {
  const { traces } = await stack.tracesOfOneOrder(ordersUrl(ordersIp), tempoUrl());
  return traces.map((trace) => trace.services);
}

/** Working-set memory per container of the release, from the kubelet's CRI stats. */
function podMemory(): Record<string, number> {
  const socket = 'unix:///var/lib/otel-demo-k8s/run/containerd/containerd.sock';
  const stats = JSON.parse(
    mustRun(fromRoot('.tools', 'kubernetes', 'bin', 'crictl'), ['--runtime-endpoint', socket, 'stats', '-o', 'json']),
  ) as {
    stats: {
      attributes: { metadata: { name: string }; labels: Record<string, string> };
      memory?: { workingSetBytes?: { value: string } };
    }[];
  };
  const result: Record<string, number> = {};
  for (const entry of stats.stats) {
    if (entry.attributes.labels['io.kubernetes.pod.namespace'] !== NAMESPACE) continue;
    if (entry.attributes.labels['io.kubernetes.pod.name'] === `${RELEASE}-test-order`) continue; // helm test's, finished
    const pod = entry.attributes.labels['io.kubernetes.pod.name']!.replace(/-[a-z0-9]+-[a-z0-9]{5}$/, '');
    const bytes = Number(entry.memory?.workingSetBytes?.value ?? 0);
    if (bytes > 0) result[`${pod}/${entry.attributes.metadata.name}`] = Math.round(bytes / 2 ** 20); // 0: an exited container
  }
  return result;
}

const EXPECTED: Record<string, string[][]> = {
  sdk: [['orders', 'inventory', 'pricing', 'notifications']],
  envoy: [
    ['orders', 'inventory', 'pricing-envoy'],
    ['pricing-envoy', 'notifications'],
  ],
  'envoy-propagation': [['orders', 'inventory', 'pricing-envoy', 'notifications']],
};

/** The release in one mode, as docs/kubernetes.md installs it, with the stand-ins' values; waits until every pod is Ready. */
const deploy = (verb: 'install' | 'upgrade', mode: string) =>
  helm(
    verb,
    RELEASE,
    CHART,
    '-n',
    NAMESPACE,
    '-f',
    STAND_INS,
    '--set',
    `mode=${mode}`,
    '--set',
    'persistence.keepOnUninstall=false',
    '--wait',
    '--timeout',
    '5m',
  );

for (const mode of ['sdk', 'envoy', 'envoy-propagation'] as const) {
  test(`helm install --set mode=${mode}: pods Ready under "restricted", one order traced as in compose, helm test, uninstall leaves nothing`, async (t) => {
    timed(`helm install --wait (${mode})`, () => deploy('install', mode));
    const ordersIp = clusterIp('orders');

    await t.test('every pod is Ready', () => {
      const pods = kubectlJson('-n', NAMESPACE, 'get', 'pods').items as {
        metadata: { name: string };
        status: { conditions?: { type: string; status: string }[] };
      }[];
      assert.ok(pods.length >= 9, `${pods.length} pods`);
      for (const pod of pods)
        assert.ok(
          pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
          `${pod.metadata.name} not Ready`,
        );
    });

    await t.test("pricing's pod has exactly the containers this mode calls for", () => {
      const pod = kubectlJson('-n', NAMESPACE, 'get', 'pods', '-l', 'app.kubernetes.io/name=pricing').items[0];
      const containers = pod.spec.containers.map((c: { name: string }) => c.name);
      const sidecars = (pod.spec.initContainers ?? []).map((c: { name: string; restartPolicy?: string }) => `${c.name}:${c.restartPolicy}`);
      assert.deepEqual(containers, ['pricing']);
      assert.deepEqual(sidecars, mode === 'sdk' ? [] : ['envoy:Always']);
    });

    await t.test('helm test: its hook pod places one order', () => {
      assert.match(helm('test', RELEASE, '-n', NAMESPACE, '--timeout', '2m'), /Phase:\s+Succeeded/);
    });

    await t.test('POST /orders through the orders Service: 201, and the trace shape of this mode in the Tempo stand-in', async () => {
      // A fresh collector may have met a Tempo not yet listening and be in its retry backoff:
      // wait until the helm test's order has come through whole, then observe a new one.
      await waitFor(
        async () => (await storedSpans()).some((span) => span.service === 'notifications'),
        60_000,
        "the helm test order's spans in the Tempo stand-in",
      );
      assert.deepEqual(await tracesOfOneOrder(ordersIp), EXPECTED[mode]);
    });

    if (mode === 'envoy') {
      await t.test(
        "the README's port-forward: the web UI on localhost:8088 places an order; Envoy's admin page on localhost:9901",
        async () => {
          // The commands the README and the chart's NOTES give, with the test's namespace.
          await withPortForward(['svc/web-ui', '8088:80'], async () => {
            const page = await fetch('http://127.0.0.1:8088/');
            assert.equal(page.status, 200);
            assert.match(await page.text(), /<form[^>]+id="order-form"/);
            assert.deepEqual(await (await fetch('http://127.0.0.1:8088/config.json')).json(), {
              mode: 'envoy',
              grafanaUrl: 'http://localhost:3000',
            });
            const order = await fetch('http://127.0.0.1:8088/api/orders', {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(ORDER),
            });
            const body = (await order.json()) as Record<string, unknown>;
            assert.equal(order.status, 201, JSON.stringify(body));
            assert.match(String(body.trace_id), /^[0-9a-f]{32}$/);
          });
          await withPortForward(['deploy/pricing', '9901'], async () => {
            assert.equal(await (await fetch('http://127.0.0.1:9901/ready')).text(), 'LIVE\n');
          });
        },
      );
    }

    if (mode !== 'sdk') {
      await t.test(
        "pricing's pod deleted mid-load: clear 5xx naming pricing while it is gone, 201 after, the sidecar back with it, no order lost",
        async () => {
          // Every order must reach pricing: with the seeded 25 Laptops a fast machine runs out
          // within the first second, and orders stopped at inventory (201, out_of_stock) never fail.
          const restock = await postJson(`http://${clusterIp('inventory')}:3001/inventory/restock`, {
            product_name: ORDER.product_name,
            quantity: 100_000,
          });
          assert.equal(restock.status, 200, JSON.stringify(restock.body));
          const answers: OrderAnswer[] = [];
          let stop = false;
          const load = (async () => {
            while (!stop) {
              answers.push(await postOrder(ordersUrl(ordersIp)));
              await sleep(50);
            }
          })();
          const old = kubectlJson('-n', NAMESPACE, 'get', 'pods', '-l', 'app.kubernetes.io/name=pricing').items[0].metadata.name as string;
          try {
            await sleep(1000);
            // Gone at once, as when its node dies: with a graceful delete, Kubernetes keeps
            // sending to the terminating pod until the new one is Ready, and may hide the gap.
            kubectl('-n', NAMESPACE, 'delete', 'pod', old, '--grace-period=0', '--force', '--wait=false');
            const deletedAt = answers.length;
            const outcomes = () =>
              JSON.stringify(countBy(answers.slice(deletedAt), (a) => `${a.status} ${a.body.status ?? a.body.error ?? ''}`));
            await waitFor(
              () => answers.slice(deletedAt).some((a) => a.status !== 201),
              60_000,
              'an order failing while pricing is gone',
            ).catch((error: Error) => {
              throw new Error(
                `${error.message}\nanswers since the delete: ${outcomes()}\n${kubectl('-n', NAMESPACE, 'get', 'pods', '-o', 'wide')}`,
              );
            });
            await waitFor(
              () => answers.length > deletedAt + 5 && answers.slice(-5).every((a) => a.status === 201),
              120_000,
              'orders answering 201 again',
            ).catch((error: Error) => {
              const pods = kubectl('-n', NAMESPACE, 'get', 'pods', '-o', 'wide');
              throw new Error(`${error.message}\nlast answers: ${JSON.stringify(answers.slice(-3))}\n${pods}`);
            });
          } finally {
            stop = true;
            await load;
          }

          const failed = answers.filter((a) => a.status !== 201);
          assert.ok(failed.length > 0);
          for (const answer of failed) {
            assert.ok([502, 504].includes(answer.status), JSON.stringify(answer));
            assert.equal(answer.body.dependency, 'pricing', JSON.stringify(answer.body));
            // Only the cluster answers: a 404 here came from outside the node (see cluster-up.sh).
            assert.doesNotMatch(answer.body.message, /answered 404/, JSON.stringify(answer.body));
          }
          // Nothing accepted is lost: every 201 is confirmed in orders' database, every 5xx kept as failed.
          for (const answer of answers) {
            const stored = (await (await fetch(`http://${ordersIp}:8000/orders/${answer.body.order_id}`)).json()) as { status: string };
            assert.equal(stored.status, answer.status === 201 ? 'confirmed' : 'failed', JSON.stringify(answer.body));
          }
          const pod = kubectlJson('-n', NAMESPACE, 'get', 'pods', '-l', 'app.kubernetes.io/name=pricing').items.find(
            (p: any) => p.metadata.name !== old,
          );
          const statuses = [...pod.status.initContainerStatuses, ...pod.status.containerStatuses].map(
            (s: { name: string; ready: boolean; restartCount: number }) => `${s.name}:${s.ready}:${s.restartCount}`,
          );
          assert.deepEqual(
            statuses.sort(),
            ['envoy:true:0', 'pricing:true:0'],
            'a new pod, Envoy and pricing started together, nothing restarted',
          );
          timings[`pricing pod deleted (${mode})`] = `${answers.length} orders, ${failed.length} answered 5xx naming pricing, the rest 201`;
        },
      );
    }

    await t.test('memory per container, after the orders', () => {
      memory[mode] = podMemory();
      assert.ok(
        Object.keys(memory[mode]).some((name) => name.startsWith('orders/')),
        JSON.stringify(memory[mode]),
      );
    });

    if (mode === 'sdk') {
      // Switched on the running release, as a user would (docs/kubernetes.md): pricing's pod
      // is recreated with the register hook, orders and web-ui with the new mode's name.
      await t.test(
        "helm upgrade --set mode=zero-code: one trace, pricing's spans from auto-instrumentations-node's libraries, none of its queries",
        async () => {
          timed('helm upgrade --wait (zero-code)', () => deploy('upgrade', 'zero-code'));
          const pricingPod = kubectlJson('-n', NAMESPACE, 'get', 'pods', '-l', 'app.kubernetes.io/name=pricing').items[0];
          const env = Object.fromEntries(pricingPod.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
          assert.equal(env.NODE_OPTIONS, '--require @opentelemetry/auto-instrumentations-node/register');
          const { traceId, traces, byTrace } = await stack.tracesOfOneOrder(ordersUrl(clusterIp('orders')), tempoUrl());
          assert.deepEqual(
            traces.map((trace) => trace.services),
            [['orders', 'inventory', 'pricing', 'notifications']],
          );
          const pricing = byTrace.get(traceId)!.filter((span) => span.service === 'pricing');
          assert.ok(
            pricing.some((span) => span.scope === '@opentelemetry/instrumentation-http' && span.kind === 2),
            'the http server span',
          );
          assert.deepEqual(
            pricing.filter((span) => Object.keys(span.attributes).some((key) => key.startsWith('db.'))).map((span) => span.name),
            [],
            'no SQLite span from pricing',
          );
          memory['zero-code'] = podMemory();
        },
      );
    }

    await t.test('helm uninstall leaves nothing of the release', async () => {
      timed(`helm uninstall (${mode})`, () => helm('uninstall', RELEASE, '-n', NAMESPACE, '--wait', '--timeout', '3m'));
      await waitFor(
        () =>
          kubectl(
            '-n',
            NAMESPACE,
            'get',
            'all,pvc,configmap,secret,serviceaccount',
            '-l',
            'app.kubernetes.io/part-of=otel-demo',
            '-o',
            'name',
          ).trim() === '',
        60_000,
        'every object of the release gone',
      );
      await waitFor(() => kubectl('-n', NAMESPACE, 'get', 'pods', '-o', 'name').trim() === '', 60_000, 'every pod gone');
    });
  });
}

test('cluster-down removes the cluster without a trace: address, bridge, iptables chains, mounts, processes', () => {
  assert.ok(clusterTraces().length > 0, 'the check sees the running cluster');
  timed('cluster down', () => mustRun('bash', [`${K8S}/cluster-down.sh`]));
  assert.deepEqual(clusterTraces(), []);
});
