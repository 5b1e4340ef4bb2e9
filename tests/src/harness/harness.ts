import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  collectorProcess,
  CHAIN_PORT_NAMES,
  freePorts,
  OtlpSink,
  SERVICES,
  startChain,
  type Chain,
  type ChainOptions,
  type CollectorPorts,
  type ManagedProcess,
  type Mode,
  type ServiceName,
  type TempoBehaviour,
} from '@demo/tools';

// Everything an integration test needs, started for real on free loopback ports with fresh
// SQLite files: the chain in one mode, optionally the real collector exporting to an OTLP
// receiver that stands where Tempo and Loki stand.

export interface Harness {
  chain: Chain;
  dataDir: string;
  sink?: OtlpSink;
  collector?: ManagedProcess;
  collectorPorts?: CollectorPorts;
  /** Opens a service's SQLite file read-only, to check rows behind the API's back. */
  db(service: ServiceName): Database.Database;
  postOrder(body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  mode?: Mode;
  withCollector?: boolean;
  /** The collector with collector/tail-sampling.yaml layered over its config. */
  tailSampling?: boolean;
  serviceEnv?: ChainOptions['serviceEnv'];
  /** How the services send OTLP to the collector: gRPC to its port 4317 (the default), or HTTP to 4318. */
  otlpProtocol?: 'grpc' | 'http/protobuf';
  /** How the receiver plays Tempo's API; by default as the pinned Tempo with its defaults (search lags). */
  tempo?: Partial<TempoBehaviour>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-demo-'));
  const ports = await freePorts([...CHAIN_PORT_NAMES, 'deadCollector'] as const);

  let sink: OtlpSink | undefined;
  let collector: ManagedProcess | undefined;
  let collectorPorts: CollectorPorts | undefined;
  if (options.withCollector) {
    sink = await OtlpSink.start(0, '127.0.0.1', true, options.tempo);
    collectorPorts = {
      grpc: ports.grpc,
      http: ports.http,
      prometheus: ports.prometheus,
      health: ports.health,
      internalMetrics: ports.internalMetrics,
    };
    collector = collectorProcess({
      ports: collectorPorts,
      exportTo: sink.url,
      logFile: path.join(dataDir, 'otel-collector.log'),
      tailSampling: options.tailSampling,
    });
    await collector.start();
  }

  const overHttp = options.otlpProtocol === 'http/protobuf';
  const chain = await startChain({
    mode: options.mode ?? 'sdk',
    ports,
    dataDir,
    logDir: dataDir,
    // Without a collector the services export to a port nobody listens on: requests must not care.
    otlpEndpoint: `http://127.0.0.1:${!options.withCollector ? ports.deadCollector : overHttp ? ports.http : ports.grpc}`,
    envoyFastFlush: true,
    serviceEnv: overHttp
      ? Object.fromEntries(SERVICES.map((name) => [name, { ...options.serviceEnv?.[name], OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }]))
      : options.serviceEnv,
  });

  const open: Database.Database[] = [];
  return {
    chain,
    dataDir,
    sink,
    collector,
    collectorPorts,
    db(service) {
      const db = new Database(path.join(dataDir, `${service}.db`), { readonly: true, fileMustExist: true });
      open.push(db);
      return db;
    },
    postOrder: (body, headers) => postJson(`${chain.ordersUrl}/orders`, body, headers),
    async stop() {
      for (const db of open) db.close();
      await chain.stop();
      await collector?.stop();
      await sink?.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: await response.json() };
}

export const LAPTOP_ORDER = { user_id: 1001, product_name: 'Laptop', quantity: 2 };
