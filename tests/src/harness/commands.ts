// Running the commands a user would type (docker compose, kubectl, helm, the setup scripts)
// from the repository root, for the tests that drive whole stacks.
import { spawnSync } from 'node:child_process';
import { fromRoot } from '@demo/tools';

export interface CommandResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  /** Written to the command's stdin (e.g. manifests for `kubectl apply -f -`). */
  input?: string;
  /** Killed after this long; a hung command must not hang the suite. */
  timeoutMs?: number;
}

/** Runs a command and returns its status and output; never throws. */
export function run(command: string, args: string[], options: CommandOptions = {}): CommandResult {
  const result = spawnSync(command, args, {
    cwd: fromRoot(),
    encoding: 'utf8',
    input: options.input,
    timeout: options.timeoutMs ?? 600_000,
    // Compose would hand builds to buildx bake, and Debian's Docker has no buildx.
    env: { ...process.env, COMPOSE_BAKE: 'false' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/** Runs a command and returns its stdout; throws with the tail of its output if it fails. */
export function mustRun(command: string, args: string[], options: CommandOptions = {}): string {
  const result = run(command, args, options);
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`);
  return result.stdout;
}
