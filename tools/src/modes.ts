// The instrumentation modes, side by side. Only pricing changes between them: the other three
// services always run with the OpenTelemetry SDK (except in "off", the benchmark baseline).
// The ladder, from seeing nothing to seeing everything: none, envoy, envoy-propagation,
// zero-code, ebpf, sdk.

/** What pricing preloads with `node --require`: this project's SDK bootstrap, the zero-code register hook, or nothing. */
export const PRICING_PRELOAD = {
  sdk: '@demo/shared/telemetry',
  'zero-code': '@opentelemetry/auto-instrumentations-node/register',
} as const;

/**
 * pricing's settings in the zero-code mode, standard variables only (compose/zero-code.yaml
 * and the chart's envByMode set the same). The SDK's default protocol is http/protobuf, which
 * the collector serves on 4318, not on the 4317 every service is given; the register hook's
 * default resource detectors also ask the AWS, Azure, GCP and Alibaba metadata endpoints, which
 * a laptop does not have; and its span batches would wait 5 s instead of the demo's 1 s.
 */
export const ZERO_CODE_ENV = {
  OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
  OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process,serviceinstance,container',
  OTEL_BSP_SCHEDULE_DELAY: '1000',
} as const;

export const MODES = {
  sdk: {
    pricingPreload: PRICING_PRELOAD.sdk,
    envoy: false,
    propagateHeaders: false,
    expect: 'one trace: orders -> inventory -> pricing -> notifications, with SQLite spans',
  },
  none: {
    pricingPreload: null,
    envoy: false,
    propagateHeaders: false,
    expect: 'broken at pricing: pricing leaves no spans and notifications starts a new trace',
  },
  envoy: {
    pricingPreload: null,
    envoy: true,
    propagateHeaders: false,
    expect: "two traces: the first ends at Envoy's ingress span; the second starts at Envoy's egress span and holds notifications",
  },
  'envoy-propagation': {
    pricingPreload: null,
    envoy: true,
    propagateHeaders: true,
    expect: 'one trace: inventory -> Envoy ingress -> Envoy egress -> notifications (pricing copies the trace headers)',
  },
  'zero-code': {
    pricingPreload: PRICING_PRELOAD['zero-code'],
    envoy: false,
    propagateHeaders: false,
    expect:
      "one trace: pricing's HTTP, Express and outgoing-call spans from auto-instrumentations-node, but no SQLite spans and no business attributes",
  },
  off: {
    pricingPreload: null,
    envoy: false,
    propagateHeaders: false,
    expect: 'no telemetry at all: no service loads the SDK (the benchmark baseline)',
  },
} as const;

export type Mode = keyof typeof MODES;

export function isMode(value: string): value is Mode {
  return Object.hasOwn(MODES, value);
}
