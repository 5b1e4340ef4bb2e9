// The demo's instrumentation modes and the trace each should leave, in English and Japanese:
// the page's mode line, `npm run local`'s usage and banner, and compare-modes all read it here.
// Only pricing changes between modes; the other services always run with the SDK (except in
// "off"). How each mode is started natively lives in tools/src/runner/modes.ts.

/** The ladder, from seeing nothing to seeing everything; "off" is the benchmark's baseline. */
export const MODE_NAMES = ['none', 'envoy', 'envoy-propagation', 'zero-code', 'ebpf', 'sdk', 'off'] as const;
export type ModeName = (typeof MODE_NAMES)[number];

export function isModeName(value: string): value is ModeName {
  return (MODE_NAMES as readonly string[]).includes(value);
}

/** What an order's traces look like in each mode. */
export const EXPECTED_SHAPE: Record<ModeName, { en: string; ja: string }> = {
  none: {
    en: 'broken at pricing: pricing leaves no spans and notifications starts a new trace',
    ja: 'pricing で途切れる：pricing はスパンを残さず、notifications が新しいトレースを始める',
  },
  envoy: {
    en: "two traces: the first ends at Envoy's ingress span; the second starts at Envoy's egress span and holds notifications",
    ja: '2 トレース：1 本目は Envoy の ingress スパンで終わり、2 本目は Envoy の egress スパンから始まって notifications を含む',
  },
  'envoy-propagation': {
    en: 'one trace: inventory -> Envoy ingress -> Envoy egress -> notifications (pricing copies the trace headers)',
    ja: '1 トレース：inventory -> Envoy ingress -> Envoy egress -> notifications（pricing がトレースヘッダーをコピー）',
  },
  'zero-code': {
    en: "one trace: pricing's HTTP, Express and outgoing-call spans from auto-instrumentations-node, but no SQLite spans and no business attributes",
    ja: '1 トレース：pricing には auto-instrumentations-node による HTTP、Express、外向き呼び出しのスパンがあるが、SQLite のスパンと業務の属性はない',
  },
  ebpf: {
    en: "one trace: pricing's spans come from the eBPF agent, which also carries the trace context (experimental)",
    ja: '1 トレース：pricing のスパンは eBPF エージェントが作り、トレースコンテキストも伝搬する（実験的）',
  },
  sdk: {
    en: 'one trace: orders -> inventory -> pricing -> notifications, with SQLite spans',
    ja: '1 トレース：orders -> inventory -> pricing -> notifications、SQLite のスパン付き',
  },
  off: {
    en: 'no telemetry at all: no service loads the SDK (the benchmark baseline)',
    ja: 'テレメトリーはまったくない：どのサービスも SDK を読み込まない（ベンチマークの基準）',
  },
};
