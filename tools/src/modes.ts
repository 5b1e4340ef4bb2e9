// The instrumentation modes, side by side. Only pricing changes between them: the other three
// services always run with the OpenTelemetry SDK (except in "off", the benchmark baseline).

export const MODES = {
  sdk: {
    pricingSdk: true,
    envoy: false,
    propagateHeaders: false,
    expect: 'one trace: orders -> inventory -> pricing -> notifications, with SQLite spans',
  },
  none: {
    pricingSdk: false,
    envoy: false,
    propagateHeaders: false,
    expect: 'broken at pricing: pricing leaves no spans and notifications starts a new trace',
  },
  envoy: {
    pricingSdk: false,
    envoy: true,
    propagateHeaders: false,
    expect: "two traces: the first ends at Envoy's ingress span; the second starts at Envoy's egress span and holds notifications",
  },
  'envoy-propagation': {
    pricingSdk: false,
    envoy: true,
    propagateHeaders: true,
    expect: 'one trace: inventory -> Envoy ingress -> Envoy egress -> notifications (pricing copies the trace headers)',
  },
  off: {
    pricingSdk: false,
    envoy: false,
    propagateHeaders: false,
    expect: 'no telemetry at all: no service loads the SDK (the benchmark baseline)',
  },
} as const;

export type Mode = keyof typeof MODES;

export function isMode(value: string): value is Mode {
  return Object.hasOwn(MODES, value);
}
