import path from 'node:path';
import fs from 'node:fs';
import { ManagedProcess } from './process';
import { MODES, PRICING_PRELOAD, ZERO_CODE_ENV, type Mode } from './modes';
import { fromRoot } from './paths';
import { startEnvoy, type SidecarOptions } from './envoy';

// Starts the four services natively, wired for one mode: the native runner, the tests, the
// mode comparison and the benchmark all start the chain through here, so they run exactly
// what a user runs.

export const SERVICES = ['orders', 'inventory', 'pricing', 'notifications'] as const;

/** The heap limits the images run with (services/Dockerfile's CMD), so native runs match them. */
export const NODE_HEAP_FLAGS = ['--max-semi-space-size=8', '--max-old-space-size=96'];
export type ServiceName = (typeof SERVICES)[number];

export interface ChainPorts {
  orders: number;
  inventory: number;
  pricing: number;
  notifications: number;
  envoyIngress: number;
  envoyEgress: number;
  envoyAdmin: number;
}

/** The ports `npm run local` and compose publish (those of the original demo). */
export const DEFAULT_PORTS: ChainPorts = {
  orders: 8000,
  inventory: 3001,
  pricing: 8080,
  notifications: 8081,
  envoyIngress: 10000,
  envoyEgress: 10001,
  envoyAdmin: 9901,
};

export interface ChainOptions extends SidecarOptions {
  mode: Mode;
  ports: ChainPorts;
  /** SQLite files go here, one per service. */
  dataDir: string;
  /** Where the services (and Envoy) send OTLP/gRPC, e.g. http://127.0.0.1:4317. */
  otlpEndpoint: string;
  /** Extra environment per service, e.g. shorter timeouts in tests. */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Node's heap flags for the services, instead of NODE_HEAP_FLAGS (the benchmark's GC rows). */
  nodeFlags?: string[];
  /** Service output goes to files in logDir without passing through this process (the benchmark). */
  uncaptured?: boolean;
}

export class Chain {
  constructor(
    readonly options: ChainOptions,
    readonly services: Record<ServiceName, ManagedProcess>,
    readonly envoy: ManagedProcess | undefined,
  ) {}

  get ordersUrl(): string {
    return `http://127.0.0.1:${this.options.ports.orders}`;
  }

  url(service: ServiceName): string {
    return `http://127.0.0.1:${this.options.ports[service]}`;
  }

  async stop(): Promise<void> {
    // Front to back, so no service is left calling one that is already gone.
    for (const name of SERVICES) await this.services[name].stop();
    await this.envoy?.stop();
  }
}

export function serviceProcess(
  name: ServiceName,
  options: ChainOptions,
  preload: string | null,
  env: Record<string, string>,
): ManagedProcess {
  const { ports, dataDir, otlpEndpoint } = options;
  const entry = fromRoot('services', name, 'dist', 'main.js');
  return new ManagedProcess({
    name,
    command: process.execPath,
    // The one line that decides how a service is instrumented: what it preloads, if anything.
    args: [...(options.nodeFlags ?? NODE_HEAP_FLAGS), ...(preload ? ['--require', preload] : []), entry],
    cwd: fromRoot(),
    env: {
      OTEL_SERVICE_NAME: name,
      OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
      HOST: '127.0.0.1',
      PORT: String(ports[name]),
      DB_PATH: path.join(dataDir, `${name}.db`),
      // orders stores it with each order (the mode comparison); the others ignore it.
      DEMO_MODE: options.mode,
      ...env,
      ...options.serviceEnv?.[name],
    },
    healthUrl: `http://127.0.0.1:${ports[name]}/health`,
    logFile: options.logDir ? path.join(options.logDir, `${name}.log`) : undefined,
    echo: options.echo,
    uncaptured: options.uncaptured,
  });
}

export async function startChain(options: ChainOptions): Promise<Chain> {
  const mode = MODES[options.mode];
  const { ports } = options;
  const local = (port: number) => `http://127.0.0.1:${port}`;
  const sdkElsewhere = options.mode === 'off' ? null : PRICING_PRELOAD.sdk;
  fs.mkdirSync(options.dataDir, { recursive: true });
  if (options.logDir) fs.mkdirSync(options.logDir, { recursive: true });

  const services: Record<ServiceName, ManagedProcess> = {
    notifications: serviceProcess('notifications', options, sdkElsewhere, {}),
    pricing: serviceProcess('pricing', options, mode.pricingPreload, {
      NOTIFICATIONS_URL: mode.envoy ? local(ports.envoyEgress) : local(ports.notifications),
      PROPAGATE_TRACE_HEADERS: String(mode.propagateHeaders),
      ...(options.mode === 'zero-code' ? ZERO_CODE_ENV : {}),
    }),
    inventory: serviceProcess('inventory', options, sdkElsewhere, {
      PRICING_URL: mode.envoy ? local(ports.envoyIngress) : local(ports.pricing),
    }),
    orders: serviceProcess('orders', options, sdkElsewhere, { INVENTORY_URL: local(ports.inventory) }),
  };
  const envoy = mode.envoy ? await startEnvoy(options) : undefined;
  const chain = new Chain(options, services, envoy);
  try {
    // Back to front: each service's dependency is up before it is.
    for (const name of [...SERVICES].reverse()) await services[name].start();
  } catch (error) {
    await chain.stop();
    throw error;
  }
  return chain;
}
