// How each mode runs natively: what pricing preloads, whether Envoy stands in front of it and
// whether pricing copies the trace headers by hand. Only pricing changes between modes. The
// modes' names and the traces they should leave are @demo/trace-verdict's modes.ts; "ebpf"
// runs under compose only (its agent needs Docker).

import type { ModeName } from '@demo/trace-verdict';

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

interface RunSettings {
  pricingPreload: string | null;
  envoy: boolean;
  propagateHeaders: boolean;
}

export const MODES = {
  sdk: {
    pricingPreload: PRICING_PRELOAD.sdk,
    envoy: false,
    propagateHeaders: false,
  },
  none: {
    pricingPreload: null,
    envoy: false,
    propagateHeaders: false,
  },
  envoy: {
    pricingPreload: null,
    envoy: true,
    propagateHeaders: false,
  },
  'envoy-propagation': {
    pricingPreload: null,
    envoy: true,
    propagateHeaders: true,
  },
  'zero-code': {
    pricingPreload: PRICING_PRELOAD['zero-code'],
    envoy: false,
    propagateHeaders: false,
  },
  off: {
    pricingPreload: null,
    envoy: false,
    propagateHeaders: false,
  },
} as const satisfies Record<Exclude<ModeName, 'ebpf'>, RunSettings>;

export type Mode = keyof typeof MODES;

export function isMode(value: string): value is Mode {
  return Object.hasOwn(MODES, value);
}
