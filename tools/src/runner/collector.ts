import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManagedProcess } from './process';
import { fromRoot } from './paths';

// The real OpenTelemetry Collector, built from Go modules by scripts/setup-collector.sh with
// exactly the components collector/otel-collector-config.yaml uses, run natively on loopback.
// The config file is the one compose mounts; only its ${env:...} endpoints change here.

/** Where scripts/setup-collector.sh builds it: a directory named after the manifest's hash (scripts/collector-path.sh). */
export const COLLECTOR_MANIFEST = fromRoot('collector', 'builder-config.yaml');
const manifestHash = crypto.createHash('sha256').update(fs.readFileSync(COLLECTOR_MANIFEST)).digest('hex').slice(0, 12);
export const COLLECTOR_BINARY = fromRoot('.tools', `otelcol-${manifestHash}`, 'otelcol-demo');
export const COLLECTOR_CONFIG = fromRoot('collector', 'otel-collector-config.yaml');
/** Layered over the main config when tail sampling is on (the collector merges the two). */
export const TAIL_SAMPLING_CONFIG = fromRoot('collector', 'tail-sampling.yaml');

/** The collector's five ports: OTLP gRPC and HTTP in, its Prometheus exporter, its health check, its own metrics. */
export const COLLECTOR_PORT_NAMES = ['grpc', 'http', 'prometheus', 'health', 'internalMetrics'] as const;
export type CollectorPorts = Record<(typeof COLLECTOR_PORT_NAMES)[number], number>;

/** The collector's usual ports (as in compose), used by `npm run local`. */
export const DEFAULT_COLLECTOR_PORTS: CollectorPorts = { grpc: 4317, http: 4318, prometheus: 8889, health: 13133, internalMetrics: 8888 };

export function collectorIsBuilt(): boolean {
  return fs.existsSync(COLLECTOR_BINARY);
}

export interface CollectorOptions {
  ports: CollectorPorts;
  /** Base URL of the OTLP/HTTP receiver standing in for Tempo and Loki (the OtlpSink). */
  exportTo: string;
  /** basic, normal or detailed: how much the debug exporter prints. */
  debugVerbosity?: string;
  echo?: boolean | ((line: string) => boolean);
  logFile?: string;
  /** Keep only the interesting traces (collector/tail-sampling.yaml). */
  tailSampling?: boolean;
  /**
   * The exporters' persistent queues (file_storage/queue). Pass the same directory to a
   * restarted collector to have it resume what the previous one held; by default each
   * process gets a fresh one of its own.
   */
  queueDir?: string;
  /** Queue bounds, in spans and log records (the config's defaults otherwise): small ones make an outage outlast the queue quickly. */
  queueSpans?: number;
  queueLogRecords?: number;
}

export function collectorProcess(options: CollectorOptions): ManagedProcess {
  const { ports } = options;
  const local = (port: number) => `127.0.0.1:${port}`;
  const queueDir = options.queueDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'otelcol-queue-'));
  fs.mkdirSync(queueDir, { recursive: true });
  return new ManagedProcess({
    name: 'otel-collector',
    command: COLLECTOR_BINARY,
    args: ['--config', COLLECTOR_CONFIG, ...(options.tailSampling ? ['--config', TAIL_SAMPLING_CONFIG] : [])],
    env: {
      COLLECTOR_OTLP_GRPC_LISTEN: local(ports.grpc),
      COLLECTOR_OTLP_HTTP_LISTEN: local(ports.http),
      COLLECTOR_PROMETHEUS_LISTEN: local(ports.prometheus),
      COLLECTOR_HEALTH_LISTEN: local(ports.health),
      COLLECTOR_INTERNAL_METRICS_PORT: String(ports.internalMetrics),
      TEMPO_OTLP_HTTP_ENDPOINT: options.exportTo,
      LOKI_OTLP_ENDPOINT: `${options.exportTo}/loki`,
      COLLECTOR_DEBUG_VERBOSITY: options.debugVerbosity ?? 'basic',
      COLLECTOR_QUEUE_DIR: queueDir,
      ...(options.queueSpans ? { COLLECTOR_QUEUE_SPANS: String(options.queueSpans) } : {}),
      ...(options.queueLogRecords ? { COLLECTOR_QUEUE_LOG_RECORDS: String(options.queueLogRecords) } : {}),
    },
    healthUrl: `http://${local(ports.health)}/`,
    logFile: options.logFile,
    echo: options.echo,
  });
}
