// Graceful shutdown in one place. On SIGTERM (docker compose stop) or SIGINT (Ctrl-C) the
// steps run in order: stop accepting requests, close the database, and last flush
// telemetry, so the spans of the final requests still reach the collector. A step that
// hangs cannot keep the process alive: after the deadline it exits anyway.

type Step = { name: string; run: () => unknown };

// Kept on globalThis because the telemetry bootstrap is preloaded with --require and must
// add its flush step to the same list as the app, whichever copy of this module each loads.
const registry = ((globalThis as { __demoShutdownSteps?: { first: Step[]; last: Step[] } }).__demoShutdownSteps ??= {
  first: [],
  last: [],
});

/** Runs during shutdown, in registration order (servers, then databases). */
export function onShutdown(name: string, run: () => unknown): void {
  registry.first.push({ name, run });
}

/** Runs after every onShutdown step: used by the telemetry bootstrap to flush. */
export function onShutdownLast(name: string, run: () => unknown): void {
  registry.last.push({ name, run });
}

let shuttingDown = false;

export async function shutdown(log: (message: string) => void = console.error, deadlineMs = 5000): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  const deadline = setTimeout(() => {
    log(`shutdown took longer than ${deadlineMs} ms, exiting anyway`);
    process.exit(1);
  }, deadlineMs);
  deadline.unref();
  for (const step of [...registry.first, ...registry.last]) {
    try {
      await step.run();
    } catch (error) {
      log(`shutdown step "${step.name}" failed: ${(error as Error).message}`);
    }
  }
  clearTimeout(deadline);
}

/** Exit cleanly on SIGTERM/SIGINT after running every shutdown step. */
export function exitOnSignals(log: (message: string) => void = console.error): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      log(`received ${signal}, shutting down`);
      void shutdown(log).then(() => process.exit(0));
    });
  }
}
