import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as wait } from 'node:timers/promises';
import fs from 'node:fs';

// One child process of the native chain (a service, Envoy, the collector, Prometheus):
// started, waited on until it answers its health URL, its output kept line by line so tests
// can read the logs, and stopped with SIGTERM (or killed with SIGKILL for fault tests).

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Polled until it answers 200; start() resolves then. */
  healthUrl?: string;
  /** Also append the output to this file. */
  logFile?: string;
  /**
   * Echo output to this process's stdout, prefixed with the name (the native runner): every
   * line, or the lines the function picks (the rest only go to logFile).
   */
  echo?: boolean | ((line: string) => boolean);
  /**
   * Write output straight to logFile, unread by this process (the benchmark: reading every
   * log line here would compete with the services for CPU). lines stays empty.
   */
  uncaptured?: boolean;
}

/** Told when a child exits without stop() or kill() having asked it to. */
export type UnexpectedExitListener = (process: ManagedProcess, code: number | null, signal: NodeJS.Signals | null) => void;

// Every child spawned and not yet exited, in start order, and who wants to hear of a crash.
// Module-wide rather than per caller so the native runner can stop children it did not start
// itself (startChain's services, Envoy) on any way out, and notice any of them dying.
const live = new Set<ManagedProcess>();
const exitListeners = new Set<UnexpectedExitListener>();

/** The children still running, oldest first. */
export function liveProcesses(): ManagedProcess[] {
  return [...live].filter((managed) => managed.running);
}

/** Calls listener whenever a child exits on its own; returns a function that unsubscribes. */
export function onUnexpectedExit(listener: UnexpectedExitListener): () => void {
  exitListeners.add(listener);
  return () => exitListeners.delete(listener);
}

/** SIGKILL to every child, synchronously: the last resort from a process 'exit' handler. */
export function killAllNow(): void {
  for (const managed of liveProcesses()) managed.killNow();
}

export class ManagedProcess {
  readonly lines: string[] = [];
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);
  /** Set by stop() and kill(), so their exit is not reported as unexpected. */
  private stopRequested = false;

  constructor(readonly spec: ProcessSpec) {}

  get name(): string {
    return this.spec.name;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** How long the last start took, from spawn until the health URL answered 200 (polled every 100 ms). */
  readyAfterMs: number | undefined;

  async start(timeoutMs = 20_000): Promise<void> {
    const { command, args, env, cwd, logFile } = this.spec;
    const spawnedAt = Date.now();
    if (this.spec.uncaptured) {
      const fd = fs.openSync(logFile ?? '/dev/null', 'a');
      const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
      fs.closeSync(fd);
      this.track(child);
      this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
      await this.waitUntilReady(timeoutMs);
      this.readyAfterMs = Date.now() - spawnedAt;
      return;
    }
    const log = logFile ? fs.createWriteStream(logFile, { flags: 'a' }) : undefined;
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.track(child);
    this.exited = new Promise((resolve) => child.once('exit', (code) => (log?.end(), resolve(code))));
    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        log?.write(chunk);
        const parts = (pending + chunk).split('\n');
        pending = parts.pop() ?? '';
        for (const line of parts) this.addLine(line);
      });
    }
    await this.waitUntilReady(timeoutMs);
    this.readyAfterMs = Date.now() - spawnedAt;
  }

  private track(child: ChildProcess): void {
    this.child = child;
    this.stopRequested = false;
    live.add(this);
    child.once('exit', (code, signal) => {
      live.delete(this);
      if (this.stopRequested) return;
      for (const listener of exitListeners) listener(this, code, signal);
    });
  }

  private addLine(line: string): void {
    this.lines.push(line);
    if (this.lines.length > 50_000) this.lines.splice(0, 10_000);
    const { echo } = this.spec;
    if (echo === true || (typeof echo === 'function' && echo(line))) process.stdout.write(`${this.name.padEnd(14)}| ${line}\n`);
  }

  private async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const { healthUrl } = this.spec;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited during start:\n${this.tail()}`);
      if (!healthUrl) return;
      try {
        const response = await fetch(healthUrl, { signal: AbortSignal.timeout(1000) });
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`${this.name} did not become healthy at ${healthUrl} within ${timeoutMs} ms:\n${this.tail()}`);
  }

  /** SIGTERM, then SIGKILL if it has not exited after graceMs. Resolves with the exit code. */
  async stop(graceMs = 8000): Promise<number | null> {
    if (!this.running) return this.child?.exitCode ?? null;
    this.stopRequested = true;
    this.child?.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  /** kill -9: the process gets no chance to clean up (fault and durability tests). */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.stopRequested = true;
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** SIGKILL without waiting: for synchronous code such as a process 'exit' handler. */
  killNow(): void {
    if (!this.running) return;
    this.stopRequested = true;
    this.child?.kill('SIGKILL');
  }

  async restart(timeoutMs?: number): Promise<void> {
    await this.stop();
    await this.start(timeoutMs);
  }

  tail(count = 20): string {
    return this.lines.slice(-count).join('\n');
  }

  /** The log lines that parse as JSON (the services log with pino). */
  jsonLines(): Record<string, unknown>[] {
    return this.lines.flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }
}

/** Node's own promise timer, under the name the tools and tests use. */
export const sleep = (ms: number): Promise<void> => wait(ms);

/** Polls check until it returns something truthy, or fails with message after timeoutMs. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
  message: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${message}`);
    await sleep(100);
  }
}
