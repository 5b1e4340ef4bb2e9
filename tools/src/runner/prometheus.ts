import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ManagedProcess } from './process';
import { fromRoot } from './paths';
import type { CollectorPorts } from './collector';

// Prometheus 3.14.0, the version compose pins, built from its Go module by
// scripts/setup-prometheus.sh, scraping the native collector with the project's
// prometheus.yml. Prometheus has no environment substitution in scrape targets, so the
// compose host names are swapped for loopback ports in a copy of the file; every other
// setting stays, the alert rules (prometheus/alert-rules.yml) included.

export const PROMETHEUS_CONFIG = fromRoot('prometheus.yml');
/** Where its rule files live; the containers mount them beside prometheus.yml, which names them by file name. */
export const PROMETHEUS_RULES_DIR = fromRoot('prometheus');
export const PROMETHEUS_BINARY = fromRoot('.tools', 'prometheus', 'prometheus');
export const PROMTOOL_BINARY = fromRoot('.tools', 'prometheus', 'promtool');

/** The pinned binaries' path, or an error saying how to build them. */
export function prometheusTool(binary: string): string {
  if (!fs.existsSync(binary)) {
    throw new Error(
      `${path.basename(binary)} is not built: run scripts/setup-prometheus.sh (it builds Prometheus 3.14.0 from its Go module into .tools/prometheus)`,
    );
  }
  return binary;
}

export interface PrometheusOptions {
  port: number;
  dataDir: string;
  /** The native collector's ports that prometheus.yml's otel-collector targets stand for. */
  collector: Pick<CollectorPorts, 'prometheus' | 'internalMetrics'>;
  /** Scrape faster than the compose default, so tests see counters within seconds. */
  scrapeInterval?: string;
}

/** prometheus.yml's compose targets, each with the loopback address that plays it natively. */
export function nativeTargets(options: Pick<PrometheusOptions, 'port' | 'collector'>): Record<string, string> {
  return {
    'otel-collector:8889': `127.0.0.1:${options.collector.prometheus}`,
    'otel-collector:8888': `127.0.0.1:${options.collector.internalMetrics}`,
    'localhost:9090': `127.0.0.1:${options.port}`,
  };
}

export function renderPrometheusConfig(options: Pick<PrometheusOptions, 'port' | 'collector' | 'scrapeInterval'>): string {
  const config = YAML.parse(fs.readFileSync(PROMETHEUS_CONFIG, 'utf8'));
  const targets = nativeTargets(options);
  if (options.scrapeInterval)
    config.global = { ...config.global, scrape_interval: options.scrapeInterval, evaluation_interval: options.scrapeInterval };
  // Rule files are relative to the config file, which is a copy elsewhere: point at the originals.
  config.rule_files = (config.rule_files ?? []).map((file: string) => path.resolve(PROMETHEUS_RULES_DIR, file));
  for (const job of config.scrape_configs ?? []) {
    if (options.scrapeInterval) job.scrape_interval = options.scrapeInterval;
    for (const group of job.static_configs ?? []) {
      group.targets = group.targets.map((target: string) => targets[target] ?? target);
    }
  }
  return YAML.stringify(config);
}

export function prometheusProcess(options: PrometheusOptions): ManagedProcess {
  fs.mkdirSync(options.dataDir, { recursive: true });
  const file = path.join(options.dataDir, 'prometheus.yml');
  fs.writeFileSync(file, renderPrometheusConfig(options));
  return new ManagedProcess({
    name: 'prometheus',
    command: prometheusTool(PROMETHEUS_BINARY),
    args: [
      `--config.file=${file}`,
      `--storage.tsdb.path=${path.join(options.dataDir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${options.port}`,
      // The same switches compose passes: Tempo remote-writes its service-graph metrics, and
      // exemplars link latency points to traces.
      '--web.enable-remote-write-receiver',
      '--enable-feature=exemplar-storage',
    ],
    healthUrl: `http://127.0.0.1:${options.port}/-/ready`,
    logFile: path.join(options.dataDir, 'prometheus.log'),
  });
}

/** Instant query over the HTTP API; returns [labels, value] pairs. */
export async function queryPrometheus(port: number, promql: string): Promise<{ metric: Record<string, string>; value: number }[]> {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await response.json()) as {
    status: string;
    error?: string;
    data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  if (body.status !== 'success') throw new Error(`prometheus query "${promql}" failed: ${body.error}`);
  return (body.data?.result ?? []).map((series) => ({ metric: series.metric, value: Number(series.value[1]) }));
}

export interface AlertState {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
  value: string;
}

/** The alerts Prometheus has pending or firing right now (GET /api/v1/alerts). */
export async function activeAlerts(port: number): Promise<AlertState[]> {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/alerts`);
  const body = (await response.json()) as { data?: { alerts?: AlertState[] } };
  return body.data?.alerts ?? [];
}
