import net from 'node:net';
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { COLLECTOR_PORT_NAMES } from './collector';

/** The ports one native chain takes: the four services, Envoy's ingress, egress and admin, and the collector's five. */
export const CHAIN_PORT_NAMES = [
  'orders',
  'inventory',
  'pricing',
  'notifications',
  'envoyIngress',
  'envoyEgress',
  'envoyAdmin',
  ...COLLECTOR_PORT_NAMES,
] as const;

/**
 * Ports nothing listens on right now, for tests that must not collide with a running demo.
 * All probe sockets stay open until every port is picked, so no port is handed out twice.
 */
export async function freePorts<K extends string>(names: readonly K[]): Promise<Record<K, number>> {
  const servers = await Promise.all(
    names.map(
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = {} as Record<K, number>;
  names.forEach((name, index) => (ports[name] = (servers[index]!.address() as net.AddressInfo).port));
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

export async function freePort(): Promise<number> {
  return (await freePorts(['port'])).port;
}

/**
 * Whether a server could listen on host:port right now: the bind itself is the test, so it
 * also fails when something holds the port on all interfaces (0.0.0.0, or :: dual-stack).
 * Probing 0.0.0.0 fails when anything listens on the port on any IPv4 address.
 */
export async function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

export interface PortHolder {
  pid: number;
  command: string;
}

/** The process listening on port where it keeps host:port from being bound (Linux: /proc, else ss). */
export function portHolder(port: number, host = '127.0.0.1'): PortHolder | undefined {
  const pid = pidOwningAnySocket(listeningSocketInodes(port, host)) ?? pidFromSs(port, host);
  return pid === undefined ? undefined : { pid, command: commandLine(pid) };
}

/** "held by pid N (command)", or "held by another process" when the holder is not visible. */
export function describePortHolder(port: number, host = '127.0.0.1'): string {
  const holder = portHolder(port, host);
  return holder ? `held by pid ${holder.pid} (${holder.command})` : 'held by another process';
}

/** Whether a socket listening on address blocks a bind to host (both IPv4 dotted, or ::-forms). */
function blocks(address: string, host: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  const wildcard = v4 === '0.0.0.0' || v4 === '::' || v4 === '*';
  return v4 === host || wildcard || (host === '0.0.0.0' && !v4.includes(':'));
}

/** An address as /proc/net/tcp(6) writes it (hex, 32-bit words in host order) in text form. */
function procAddress(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((word) => (word.match(/../g) ?? []).reverse().map((byte) => parseInt(byte, 16)));
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.every((byte) => byte === 0)) return '::';
  if (bytes.slice(0, 10).every((byte) => byte === 0) && bytes[10] === 255 && bytes[11] === 255)
    return `::ffff:${bytes.slice(12).join('.')}`;
  return `ipv6:${hex}`; // another IPv6 address: never in the way of an IPv4 bind
}

/** Inodes of the sockets listening on port in the way of host, from /proc/net/tcp and tcp6. */
function listeningSocketInodes(port: number, host: string): Set<string> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue; // no /proc (not Linux), or no IPv6
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const fields = line.trim().split(/\s+/);
      const [local, state, inode] = [fields[1], fields[3], fields[9]];
      if (state !== '0A' || !local || !inode || inode === '0') continue; // 0A: LISTEN
      const [address, portHex] = local.split(':');
      if (parseInt(portHex ?? '', 16) === port && blocks(procAddress(address ?? ''), host)) inodes.add(inode);
    }
  }
  return inodes;
}

/** The pid with a file descriptor on one of the sockets, by reading every /proc/<pid>/fd link. */
function pidOwningAnySocket(inodes: Set<string>): number | undefined {
  if (inodes.size === 0) return undefined;
  const links = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    for (const fd of safeReaddir(`/proc/${entry}/fd`)) {
      try {
        if (links.has(fs.readlinkSync(`/proc/${entry}/fd/${fd}`))) return Number(entry);
      } catch {
        // the fd closed, or the process exited, while we looked
      }
    }
  }
  return undefined;
}

/** ss -ltnp's answer, for when /proc does not tell (another user's process, without root). */
function pidFromSs(port: number, host: string): number | undefined {
  const result = spawnSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' });
  if (result.status !== 0) return undefined;
  for (const line of result.stdout.split('\n')) {
    // LISTEN 0 511 127.0.0.1:8081 0.0.0.0:* users:(("node",pid=123,fd=20))
    const local = line.trim().split(/\s+/)[3] ?? '';
    const address = local
      .slice(0, local.lastIndexOf(':'))
      .replace(/^\[|\]$/g, '')
      .replace(/%.*$/, '');
    const pid = /pid=(\d+)/.exec(line)?.[1];
    if (pid && blocks(address, host)) return Number(pid);
  }
  return undefined;
}

function commandLine(pid: number): string {
  try {
    const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const command = args.join(' ');
    return command.length > 160 ? `${command.slice(0, 157)}...` : command || 'unknown command';
  } catch {
    const result = spawnSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
    return result.status === 0 ? result.stdout.trim() : 'unknown command';
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
