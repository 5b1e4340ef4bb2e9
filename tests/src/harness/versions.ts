import fs from 'node:fs';
import { fromRoot } from '@demo/tools';

// The repository's .env holds every pinned version (docker compose interpolates it, the
// setup scripts source it). The tests read it here rather than repeat a version.

export type PinnedVersions = Readonly<Record<string, string>>;

/**
 * The KEY=value lines of a .env file. Only the subset that both bash `source` and compose's
 * dotenv read the same way is accepted: comment lines, blank lines and unquoted values
 * without spaces; anything else is an error naming the line.
 */
export function parseDotEnv(text: string): PinnedVersions {
  const values: Record<string, string> = {};
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const match = /^([A-Z][A-Z0-9_]*)=([A-Za-z0-9._-]+)$/.exec(line);
    if (!match) throw new Error(`.env line ${index + 1} is not KEY=value: ${JSON.stringify(line)}`);
    values[match[1]!] = match[2]!;
  }
  return values;
}

let cached: PinnedVersions | undefined;

/** The versions of the repository's .env. */
export function pinnedVersions(): PinnedVersions {
  cached ??= parseDotEnv(fs.readFileSync(fromRoot('.env'), 'utf8'));
  return cached;
}

/** One version from .env; an error if it is not there. */
export function pinned(name: string): string {
  const value = pinnedVersions()[name];
  if (value === undefined) throw new Error(`.env has no ${name}`);
  return value;
}

/** The upstream images the compose files run, as compose resolves them from .env. */
export function upstreamImages() {
  return {
    node: `node:${pinned('NODE_VERSION')}-trixie-slim`,
    nginx: `nginx:${pinned('NGINX_VERSION')}-alpine`,
    collector: `otel/opentelemetry-collector-contrib:${pinned('COLLECTOR_VERSION')}`,
    envoy: `envoyproxy/envoy:v${pinned('ENVOY_VERSION')}`,
    obi: `otel/ebpf-instrument:v${pinned('OBI_VERSION')}`,
    prometheus: `prom/prometheus:v${pinned('PROMETHEUS_VERSION')}`,
    tempo: `grafana/tempo:${pinned('TEMPO_VERSION')}`,
    loki: `grafana/loki:${pinned('LOKI_VERSION')}`,
    grafana: `grafana/grafana:${pinned('GRAFANA_VERSION')}`,
  };
}
