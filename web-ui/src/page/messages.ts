// Every word the page shows, in English and Japanese. The page speaks Japanese when the
// browser prefers it or when the 日本語 / English switch chose it (language.ts). The mode
// hints are @demo/trace-verdict's EXPECTED_SHAPE; the terminal's line and the services' own
// error messages stay English.

import type { Verdict } from '@demo/trace-verdict';

export const en = {
  title: 'OpenTelemetry demo: orders',
  heading: 'OpenTelemetry instrumentation demo',
  switchTo: '日本語',
  switchLabel: 'Show this page in Japanese',
  loadingMode: "Loading the stack's mode…",
  modeLine: (mode: string, hint: string) => `Mode: ${mode}${hint ? ` — expect ${hint}` : ''}`,
  placeOrder: 'Place an order',
  chainHint: 'orders → inventory → pricing → notifications, each with its own SQLite database.',
  userId: 'User ID',
  product: 'Product',
  quantity: 'Quantity',
  fault: 'Fault',
  faultNone: 'none',
  faultGroups: { slow: 'slow (1 s delay)', error: 'error (answers 500)', 'slow-query': 'slow SQL statement' },
  faultOption: {
    slow: (service: string) => `${service} slow`,
    error: (service: string) => `${service} fails`,
    'slow-query': (service: string) => `${service} slow query`,
  },
  faultHint: 'Break one service for this order, then find it in the trace.',
  result: 'Result',
  traceIdLabel: 'Trace ID',
  copy: 'Copy',
  copied: 'Copied',
  selected: 'Selected: press Ctrl+C',
  openInGrafana: 'Open this trace in Grafana',
  notTraced: 'none (this request was not traced)',
  waterfallLabel: 'The traces of this order, each a tree of spans on one time axis',
  recent: 'Recent orders',
  recentHint: 'Click an order to draw its traces. Orders keep the mode they were placed in, so two modes can be compared here.',
  columns: ['#', 'Mode', 'Product', 'Qty', 'Status', 'Total', 'Traces', 'Broken at', 'Trace'],
  drawThisOrder: "Draw this order's traces",
  notBroken: 'not broken',
  waitingForTempo: 'waiting for Tempo',
  waitingTitle: "Tempo's search finds a trace about 30 s after its last span: until then a second trace of this order may be missing.",
  notFoundBySearch: ' (not found by search)',
  status: (status: string) => status.replace('_', ' '),
  rows: {
    order: 'Order',
    mode: 'Mode',
    status: 'Status',
    stock: 'Stock check',
    reserved: (reserved: number, left: number) => `reserved ${reserved}, ${left} left`,
    notEnough: (inStock: number, requested: number) => `not enough: ${inStock} in stock, ${requested} requested`,
    price: 'Price',
    discount: (percent: number) => ` (${percent}% off)`,
    notification: 'Notification',
    sentBy: (channel: string) => `sent by ${channel}`,
    skipped: (reason: string) => `skipped: ${reason}`,
    whatHappened: 'What happened',
    failedDependency: 'Failed dependency',
    storedAsFailed: (id: number | string) => `#${id} (stored as failed)`,
  },
  confirmed: (id: number | string) => `Order #${id} confirmed.`,
  orderOutcome: (id: number | string, status: string) => `Order #${id}: ${status}.`,
  injectedFault: (service: string) => `The order failed: ${service} failed on purpose.`,
  dependencyFailed: (dependency: string) => `The order failed: ${dependency} is not working. Its trace shows where.`,
  refused: (message: string) => `Request refused: ${message}`,
  unreachableOrders: (message: string) => `Could not reach the orders service: ${message}`,
  storedOrder: (id: number | string, mode: string, status: string) => `Order #${id}, placed in mode ${mode}: ${status}.`,
  notAnOrderNumber: (text: string) =>
    `"${text}" is not an order number: use /?order=<a whole number from 1 up>, or pick an order under Recent orders.`,
  noSuchOrder: (id: number | string) => `Order #${id} does not exist: pick one under Recent orders.`,
  cannotLoadOrder: (id: number | string, message: string) => `Could not load order #${id}: ${message}`,
  tempoRefused: (text: string) => `Tempo refused the search: ${text}`,
  tempoUnreachable: 'Tempo is not reachable from this page',
  tracingOff: 'Tracing is off in this mode ("off"): no service loads the SDK, so this order left no trace to draw.',
  lookingInTempo: "Looking for this order's traces in Tempo…",
  searchingTempo: (query: string) => `Searching Tempo for ${query}…`,
  everyTraceInGrafana: (id: number | string, query: string) => `Every trace of order #${id} in Grafana: ${query}`,
  previewUnavailable:
    'Trace preview unavailable: Tempo is not reachable from this page (it is in docker compose). Open the trace in Grafana instead.',
  traces: (count: number) => `${count} trace${count === 1 ? '' : 's'}`,
  drawnNote: (spans: number, services: number, traces: string) => `${spans} spans from ${services} services in ${traces}.`,
  waitingFor: (traces: string, what: string, seconds: number) => `${traces} so far; waiting for ${what}… ${seconds} s`,
  lateSpans: 'late spans (Envoy flushes every 5 s)',
  laggingSearch: "Tempo's search, which finds a trace about 30 s after it ends",
  found: (traces: string) => `${traces} found.`,
  gaveUp: (text: string, missing: string, seconds: number) =>
    `${text} Still ${missing} after ${seconds} s: spans were lost (a collector or Tempo outage, or sampling) or never sent.`,
  missingAll: 'no span of this order',
  missingSearch: "this order's trace not found by Tempo's search, so a later trace of it would not show here either",
  missingNotifications: 'no span from notifications',
  traceHeading: (index: number, count: number, label: string) => `trace ${index} of ${count} · starts at ${label}`,
  faultLeftNoSpan: (fault: string, service: string) =>
    ` The fault ${fault} left no span: ${service} never received it (the baggage was lost on the way, where the trace breaks) or it has no SDK of its own.`,
  faultHit: (fault: string, service: string, name: string, ms: string) =>
    ` Highlighted: where ${fault} hit (${service}: ${name}, ${ms} ms).`,
  // The terminal's words, from @demo/trace-verdict.
  verdict: (verdict: Verdict) => verdict.text,
  noDatabaseSpans: (service: string) =>
    `${service}: no database spans (what traced it saw its HTTP traffic, not the SQLite queries in its code)`,
};

export type Messages = typeof en;

export const ja: Messages = {
  title: 'OpenTelemetry デモ：注文',
  heading: 'OpenTelemetry 計装デモ',
  switchTo: 'English',
  switchLabel: 'このページを英語で表示',
  loadingMode: 'スタックのモードを読み込んでいます…',
  modeLine: (mode, hint) => `モード: ${mode}${hint ? ` — 期待される形：${hint}` : ''}`,
  placeOrder: '注文する',
  chainHint: 'orders → inventory → pricing → notifications。各サービスが自分の SQLite データベースを持ちます。',
  userId: 'ユーザー ID',
  product: '商品',
  quantity: '数量',
  fault: '障害',
  faultNone: 'なし',
  faultGroups: { slow: '遅延（1 秒）', error: 'エラー（500 を返す）', 'slow-query': '遅い SQL 文' },
  faultOption: {
    slow: (service) => `${service} を遅くする`,
    error: (service) => `${service} を失敗させる`,
    'slow-query': (service) => `${service} で遅いクエリ`,
  },
  faultHint: 'この注文だけ 1 つのサービスを壊し、トレースのどこに現れるか探してください。',
  result: '結果',
  traceIdLabel: 'トレース ID',
  copy: 'コピー',
  copied: 'コピーしました',
  selected: '選択しました：Ctrl+C でコピー',
  openInGrafana: 'このトレースを Grafana で開く',
  notTraced: 'なし（このリクエストはトレースされていません）',
  waterfallLabel: 'この注文のトレース。各トレースはスパンのツリーで、時間軸は共通',
  recent: '最近の注文',
  recentHint: '注文をクリックすると、そのトレースを描きます。注文は作成時のモードを覚えているので、ここで 2 つのモードを比べられます。',
  columns: ['#', 'モード', '商品', '数量', 'ステータス', '合計', 'トレース数', '途切れた場所', 'トレース'],
  drawThisOrder: 'この注文のトレースを描く',
  notBroken: '途切れなし',
  waitingForTempo: 'Tempo 待ち',
  waitingTitle:
    'Tempo の検索がトレースを見つけるのは、最後のスパンから約 30 秒後です。それまでは、この注文の 2 本目のトレースが見えていない可能性があります。',
  notFoundBySearch: '（検索で見つからず）',
  status: (status) => ({ confirmed: '確定', out_of_stock: '在庫切れ', failed: '失敗', pending: '処理中' })[status] ?? status,
  rows: {
    order: '注文',
    mode: 'モード',
    status: 'ステータス',
    stock: '在庫チェック',
    reserved: (reserved, left) => `${reserved} 個を確保、残り ${left} 個`,
    notEnough: (inStock, requested) => `在庫不足：在庫 ${inStock} 個、注文 ${requested} 個`,
    price: '価格',
    discount: (percent) => `（${percent}% 引き）`,
    notification: '通知',
    sentBy: (channel) => `${channel} で送信済み`,
    skipped: (reason) => `送信せず：${reason}`,
    whatHappened: '起きたこと',
    failedDependency: '失敗した依存先',
    storedAsFailed: (id) => `#${id}（失敗として保存）`,
  },
  confirmed: (id) => `注文 #${id} を確定しました。`,
  orderOutcome: (id, status) => `注文 #${id}：${status}。`,
  injectedFault: (service) => `注文は失敗しました：${service} が意図どおりに失敗しました。`,
  dependencyFailed: (dependency) => `注文は失敗しました：${dependency} が動いていません。どこで失敗したかはトレースで分かります。`,
  refused: (message) => `リクエストは拒否されました：${message}`,
  unreachableOrders: (message) => `orders サービスに接続できません：${message}`,
  storedOrder: (id, mode, status) => `注文 #${id}（${mode} モードで作成）：${status}。`,
  notAnOrderNumber: (text) => `「${text}」は注文番号ではありません。/?order=<1 以上の整数> を使うか、最近の注文から選んでください。`,
  noSuchOrder: (id) => `注文 #${id} はありません。最近の注文から選んでください。`,
  cannotLoadOrder: (id, message) => `注文 #${id} を読み込めません：${message}`,
  tempoRefused: (text) => `Tempo が検索を拒否しました：${text}`,
  tempoUnreachable: 'このページから Tempo に届きません',
  tracingOff: 'このモード（"off"）ではトレースは無効です。どのサービスも SDK を読み込まないので、この注文には描くトレースがありません。',
  lookingInTempo: 'Tempo でこの注文のトレースを探しています…',
  searchingTempo: (query) => `Tempo を ${query} で検索しています…`,
  everyTraceInGrafana: (id, query) => `注文 #${id} のすべてのトレースを Grafana で見る：${query}`,
  previewUnavailable:
    'トレースのプレビューは使えません：このページから Tempo に届きません（Tempo は docker compose の中にあります）。代わりに Grafana でトレースを開いてください。',
  traces: (count) => `${count} トレース`,
  drawnNote: (spans, services, traces) => `${services} サービスから ${spans} スパン、${traces}。`,
  waitingFor: (traces, what, seconds) => `今のところ ${traces}。${what}を待っています… ${seconds} 秒`,
  lateSpans: '遅れて届くスパン（Envoy は 5 秒ごとに送信）',
  laggingSearch: 'Tempo の検索（トレースの終了から約 30 秒後に見つかる）',
  found: (traces) => `${traces}が見つかりました。`,
  gaveUp: (text, missing, seconds) =>
    `${text}${seconds} 秒たっても${missing}。スパンが失われた（Collector や Tempo の停止、サンプリング）か、送られていません。`,
  missingAll: 'この注文のスパンが 1 つもありません',
  missingSearch: 'この注文のトレースが Tempo の検索で見つかりません。後続のトレースがあってもここには出ません',
  missingNotifications: 'notifications のスパンがありません',
  traceHeading: (index, count, label) => `トレース ${index}/${count} · ${label} から開始`,
  faultLeftNoSpan: (fault, service) =>
    ` 障害 ${fault} はスパンを残しませんでした：${service} に届かなかった（トレースが途切れた場所でバゲッジも失われた）か、${service} に SDK がありません。`,
  faultHit: (fault, service, name, ms) => ` ハイライト：${fault} が効いた場所（${service}: ${name}、${ms} ms）。`,
  noDatabaseSpans: (service) =>
    `${service}: データベースのスパンがありません（計装が見たのは HTTP の通信だけで、コードの中の SQLite のクエリは見えていません）`,
  verdict: (verdict) => {
    const count = verdict.traces.length;
    if (count === 0) return 'この注文のトレースはまだ届いていません。';
    if (!verdict.brokenAt) return `${count} トレース、途切れなし。`;
    const ends = verdict.endsAt
      ? `${verdict.endsAt.service}: ${verdict.endsAt.name} で終わり、呼び出しが続いた先に子スパンがありません`
      : '途中で終わります';
    const starts = verdict.startsAt ? `${verdict.startsAt.service}: ${verdict.startsAt.name}` : '?';
    return (
      `${count} トレース、${verdict.brokenAt} で途切れた：トレース 1 は ${ends}。トレース 2 は ${starts} から親なしで始まります。` +
      `${verdict.brokenAt} が traceparent ヘッダーを転送しなかったため、次のホップで新しいトレースが始まりました。`
    );
  },
};
