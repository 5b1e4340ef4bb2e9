import assert from 'node:assert/strict';
import { waitFor } from '@demo/tools';
import { mustRun, run } from './commands';
import * as stack from './stack';

// The compose stack as the tests drive it: each user-facing compose file, unmodified, plus
// tests/compose-stack/stand-ins.compose.yml, which only swaps in what the test machines need
// (stand-ins for the pinned upstream images, built by tests/compose-stack/build-stand-ins.sh;
// Tempo and Loki played by the project's OTLP receiver; no Grafana).
//
// Every request goes to the published ports on 127.0.0.1 (or on BIND_ADDRESS, which the compose
// files honour, e.g. 127.0.0.2 beside a native run on the same ports) or stays inside
// compose's networks.

export const HOST = process.env.BIND_ADDRESS ?? '127.0.0.1';
export const OVERRIDE = 'tests/compose-stack/stand-ins.compose.yml';
export const PROJECT = 'otel-demo';
export const NODE_SERVICES = ['orders', 'inventory', 'pricing', 'notifications'] as const;
/** How long each step took, per mode, and each container's memory: printed when the tests end. */
export const timings: Record<string, Record<string, string>> = {};
export const memoryRows: string[][] = [];

/** `docker compose -f <file> -f <override> ...`: the user's command plus the test machine's stand-ins. */
export const compose = (file: string, ...args: string[]) => mustRun('docker', ['compose', '-f', file, '-f', OVERRIDE, ...args]);

/** Everything of the project gone, whatever state a run left it in; never throws. */
export const tearDown = (file: string) =>
  run('docker', ['compose', '-f', file, '-f', OVERRIDE, '--profile', 'load', 'down', '-v', '--remove-orphans']);

export const timed = <T>(mode: string, step: string, action: () => T): T => stack.timed((timings[mode] ??= {}), step, action);

export interface ContainerState {
  Service: string;
  State: string;
  Health: string;
  ID: string;
  ExitCode: number;
}

/** One-shots that run before the others and exit: their container stays, exited 0. */
export const ONE_SHOTS = ['otel-collector-queue-owner'];

export function containers(file: string, ...extra: string[]): ContainerState[] {
  const output = compose(file, ...extra, 'ps', '--all', '--format', 'json').trim();
  // Compose prints one JSON object per line.
  return output ? output.split('\n').map((line) => JSON.parse(line) as ContainerState) : [];
}

export async function waitUntilHealthy(file: string, ...extra: string[]): Promise<ContainerState[]> {
  let last: ContainerState[] = [];
  try {
    return await waitFor(
      () => {
        last = containers(file, ...extra);
        const done = (c: ContainerState) => ONE_SHOTS.includes(c.Service) && c.State === 'exited' && c.ExitCode === 0;
        return (
          last.length > 0 && last.every((c) => done(c) || (c.State === 'running' && (c.Health === '' || c.Health === 'healthy'))) && last
        );
      },
      180_000,
      'every container running and healthy',
    );
  } catch (error) {
    const states = last.map((c) => `${c.Service}: ${c.State} ${c.Health}`).join('\n');
    const logs = run('docker', ['compose', '-f', file, '-f', OVERRIDE, 'logs', '--tail', '15']).stdout;
    throw new Error(`${(error as Error).message}\n${states}\n${logs}`, { cause: error });
  }
}

export const containerId = (file: string, service: string) => compose(file, 'ps', '-q', service).trim();

// tests/src/harness/stack.ts, aimed at the published ports.
export const ORDERS_URL = `http://${HOST}:8000/orders`;
export const TEMPO_URL = `http://${HOST}:3200`;
export const postOrder = (url = ORDERS_URL) => stack.postOrder(url);
/** Laptops back in stock: the outage scenarios' load sells the seeded 25, and the volumes may carry that over. */
export async function restockLaptops(): Promise<void> {
  const answer = await fetch(`http://${HOST}:3001/inventory/restock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ product_name: 'Laptop', quantity: 1000 }),
  });
  assert.equal(answer.status, 200, await answer.text());
}
export const storedSpans = () => stack.storedSpans(TEMPO_URL);
export const tracesOfOneOrder = () => stack.tracesOfOneOrder(ORDERS_URL, TEMPO_URL);

export function nothingLeft(): string[] {
  const label = `label=com.docker.compose.project=${PROJECT}`;
  return [
    ...mustRun('docker', ['ps', '-aq', '--filter', label])
      .split('\n')
      .filter(Boolean)
      .map((id) => `container ${id}`),
    ...mustRun('docker', ['network', 'ls', '-q', '--filter', label])
      .split('\n')
      .filter(Boolean)
      .map((id) => `network ${id}`),
    ...mustRun('docker', ['volume', 'ls', '-q', '--filter', label])
      .split('\n')
      .filter(Boolean)
      .map((id) => `volume ${id}`),
  ];
}

const MiB = 1024 * 1024;
export function parseSize(text: string): number {
  const match = /^([\d.]+)\s*([kKMG]?i?B)$/.exec(text.trim());
  if (!match) throw new Error(`unexpected size ${text}`);
  const unit = { B: 1, KiB: 1024, MiB, GiB: 1024 * MiB, kB: 1000, MB: 1e6, GB: 1e9 }[match[2]!] ?? 1;
  return Number(match[1]) * unit;
}

/** Each container's memory now (docker stats) against its limit (docker inspect), as table rows. */
export function checkMemory(mode: string, file: string, ...extra: string[]): void {
  for (const container of containers(file, ...extra)) {
    const limit = Number(mustRun('docker', ['inspect', '--format', '{{.HostConfig.Memory}}', container.ID]).trim());
    const usage = parseSize(mustRun('docker', ['stats', '--no-stream', '--format', '{{.MemUsage}}', container.ID]).split('/')[0]!);
    memoryRows.push([
      mode,
      container.Service,
      (usage / MiB).toFixed(1),
      (limit / MiB).toFixed(0),
      `${Math.round((100 * usage) / limit)} %`,
    ]);
    assert.ok(limit > 0, `${mode}/${container.Service} has no memory limit`);
    assert.ok(usage < limit, `${mode}/${container.Service}: ${usage} bytes used of a ${limit} byte limit`);
  }
}
