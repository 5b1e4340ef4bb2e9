import fs from 'node:fs';
import path from 'node:path';

// Where a service's CPU time goes, from the V8 CPU profile Node writes with --cpu-prof
// (npm run bench -- --cpu-prof): each sample's self time is charged to the npm package of
// the function it hit (or "node core", "gc", "app"), so the cost of the OpenTelemetry
// packages can be read next to Express, Fastify, undici, pino and SQLite.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** "…/node_modules/@opentelemetry/core/build/…" -> "@opentelemetry/core"; "node:internal/…" -> "node core". */
export function ownerOf(frame: ProfileNode['callFrame']): string | undefined {
  const { url, functionName } = frame;
  if (functionName === '(idle)') return undefined; // waiting, not working
  if (functionName === '(garbage collector)') return 'gc';
  if (functionName === '(program)' || (url === '' && functionName.startsWith('('))) return 'v8 (program)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [first, second] = url.slice(modules + '/node_modules/'.length).split('/');
    return first?.startsWith('@') ? `${first}/${second}` : first;
  }
  if (url.includes('/services/shared/')) return '@demo/shared';
  if (url.includes('/services/')) return 'app';
  return 'node core';
}

/** Self time per owner, in ms, and which service the profile came from. */
export function summarizeProfile(profile: CpuProfile): { service: string; totalMs: number; byOwner: Map<string, number> } {
  const owners = new Map<number, string | undefined>();
  let service = 'unknown';
  for (const node of profile.nodes) {
    owners.set(node.id, ownerOf(node.callFrame));
    const match = /\/services\/([a-z-]+)\/dist\/main\.js$/.exec(node.callFrame.url);
    if (match && match[1] !== 'shared') service = match[1]!;
  }
  const byOwner = new Map<string, number>();
  let totalMs = 0;
  profile.samples.forEach((nodeId, i) => {
    const owner = owners.get(nodeId);
    if (!owner) return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + ms);
    totalMs += ms;
  });
  return { service, totalMs, byOwner };
}

/** Prints, per service, the largest shares of its busy CPU time. */
export function printProfileSummary(config: string, dir: string, top = 8): void {
  if (!fs.existsSync(dir)) return;
  console.log(`\nCPU profile, ${config}: share of each service's busy time (self time, by package)\n`);
  for (const file of fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .sort()) {
    const { service, totalMs, byOwner } = summarizeProfile(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CpuProfile);
    const shares = [...byOwner.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
    const telemetry = [...byOwner.entries()]
      .filter(([owner]) => owner.startsWith('@opentelemetry/') || owner === '@fastify/otel')
      .reduce((sum, [, ms]) => sum + ms, 0);
    console.log(
      `  ${service.padEnd(14)} ${totalMs.toFixed(0)} ms busy; OpenTelemetry packages ${((100 * telemetry) / totalMs).toFixed(0)}%`,
    );
    console.log(`    ${shares.map(([owner, ms]) => `${owner} ${((100 * ms) / totalMs).toFixed(0)}%`).join(', ')}`);
  }
}
