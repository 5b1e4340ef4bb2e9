// The services' own telemetry code (business spans, SQLite statement spans, app.order.id on
// spans, fault attributes, business metrics) speaks through @opentelemetry/api, which does
// nothing until some SDK registers. It speaks only when this project's bootstrap
// (telemetry.ts) started that SDK. In the zero-code mode pricing runs under
// @opentelemetry/auto-instrumentations-node's register hook instead, which registers an SDK
// of its own; pricing then stands for an application with no OpenTelemetry code at all, so a
// trace shows only what the package's library instrumentations see. (An application that
// does call the API under the register hook gets those spans too: docs/auto-instrumentations.md.)

let started = false;

/** Called once by telemetry.ts, after its SDK started. */
export function markOwnTelemetryStarted(): void {
  started = true;
}

export function ownTelemetryStarted(): boolean {
  return started;
}
