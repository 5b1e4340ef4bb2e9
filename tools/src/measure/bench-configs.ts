import type { Mode } from '../runner/modes';

// What `npm run bench` can run: each configuration is a mode of the chain, with the
// environment, Node flags or collector settings that make it a sampling row or a lever row
// (docs/benchmarks.md, docs/benchmarks-levers.md). `--configs` picks them by name.

// Each configuration: a mode of the chain, plus sampling settings where it is a sampling row.
const HEAD_10_PERCENT = { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' };
// The levers against the SDK's cost (docs/benchmarks-levers.md). `sdk` runs the defaults,
// every adopted lever on; each `sdk-*` lever row below changes one thing from them, and
// `sdk-before` undoes every adopted lever at once.
const CLIENT_METRICS = { SDK_HTTP_CLIENT_METRICS: 'true' }; // undici's http.client.request.duration
// The services' young generation before it grew from 2 to 8 MB (NODE_HEAP_FLAGS), and beyond.
const semiSpace = (mb: number) => [`--max-semi-space-size=${mb}`, '--max-old-space-size=96'];
// Fewer, larger span exports: 2048 spans or 5 s per batch (the SDK's default delay) instead of 512 or 1 s.
const LARGER_SPAN_BATCHES = { OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '2048', OTEL_BSP_SCHEDULE_DELAY: '5000', OTEL_BSP_MAX_QUEUE_SIZE: '8192' };
export const CONFIGS = {
  limit: { mode: undefined },
  off: { mode: 'off' },
  sdk: { mode: 'sdk' },
  'sdk-head-10': { mode: 'sdk', env: HEAD_10_PERCENT }, // head sampling: 10 % of traces recorded
  'sdk-always-off': { mode: 'sdk', env: { OTEL_TRACES_SAMPLER: 'always_off' } }, // no span recorded at all
  'sdk-tail': { mode: 'sdk', tailSampling: true }, // everything recorded; the collector keeps some
  // Adopted levers, undone one at a time, and all at once.
  'sdk-with-client-metrics': { mode: 'sdk', env: CLIENT_METRICS },
  'sdk-semi-2': { mode: 'sdk', nodeFlags: semiSpace(2) },
  'off-semi-2': { mode: 'off', nodeFlags: semiSpace(2) }, // the same young generation untraced, for a fair ratio
  'sdk-before': { mode: 'sdk', env: CLIENT_METRICS, nodeFlags: semiSpace(2) },
  // Levers measured and not adopted, each added to the defaults.
  'sdk-logs-worker': { mode: 'sdk', env: { LOG_SHIPPING: 'worker' } }, // log records built and exported in a worker thread
  'sdk-logs-pino-transport': { mode: 'sdk', env: { LOG_SHIPPING: 'pino-transport' } }, // the same through pino's transport
  'sdk-http-protobuf': { mode: 'sdk', env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' } }, // OTLP over HTTP to port 4318
  'sdk-span-batches': { mode: 'sdk', env: LARGER_SPAN_BATCHES },
  'sdk-semi-16': { mode: 'sdk', nodeFlags: semiSpace(16) }, // faster still, but past the containers' memory limit
  'off-semi-16': { mode: 'off', nodeFlags: semiSpace(16) },
  // Express and Fastify left unpatched: the trace loses the framework's "request handler" span.
  'sdk-no-framework-spans': { mode: 'sdk', env: { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'express,fastify' } },
  // Every lever above at once, the rejected ones too: how far levers alone get.
  'sdk-every-lever': {
    mode: 'sdk',
    env: { LOG_SHIPPING: 'worker', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'express,fastify' },
    nodeFlags: semiSpace(16),
  },
  // Not adoptable, for where the cost goes: the SDK with parts of it switched off.
  'sdk-nothing': { mode: 'sdk', env: { OTEL_TRACES_SAMPLER: 'always_off', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' } },
  'sdk-no-traces': { mode: 'sdk', env: { OTEL_TRACES_EXPORTER: 'none' } }, // no tracer provider: the API's no-op spans, context still carried
  'sdk-no-metrics': { mode: 'sdk', env: { OTEL_METRICS_EXPORTER: 'none' } },
  'sdk-no-logs': { mode: 'sdk', env: { OTEL_LOGS_EXPORTER: 'none' } },
  envoy: { mode: 'envoy' },
  'envoy-propagation': { mode: 'envoy-propagation' },
  // pricing under auto-instrumentations-node's register hook, its default instrumentations;
  // then only the four libraries pricing uses (the package still loads all of them).
  'zero-code': { mode: 'zero-code' },
  'zero-code-four-libraries': { mode: 'zero-code', pricingEnv: { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,express,undici,pino' } },
} satisfies Record<
  string,
  {
    mode: Mode | undefined;
    env?: Record<string, string>;
    pricingEnv?: Record<string, string>;
    tailSampling?: boolean;
    nodeFlags?: string[];
  }
>;
export type Config = keyof typeof CONFIGS;
export const ALL_CONFIGS = Object.keys(CONFIGS) as Config[];
export const DEFAULT_CONFIGS: Config[] = ['limit', 'off', 'sdk', 'sdk-head-10', 'sdk-tail', 'envoy', 'envoy-propagation'];
