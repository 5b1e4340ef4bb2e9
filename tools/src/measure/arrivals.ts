import type { LogRecord, SpanRecord } from '../tempo-stand-in/records';

// What reached the receiver (Tempo's and Loki's place), per trace: the distinct span ids and
// the distinct log records. Distinct, because the collector's queue delivers at least once:
// after a crash it sends again what it had sent but not yet marked done, and a duplicate is
// not a span found.

/** A log record carries no id of its own: its span, severity and body tell it apart. */
export const logKey = (record: LogRecord) => `${record.spanId}|${record.severity}|${JSON.stringify(record.body)}`;

class Tally<Item> {
  private readonly byTrace = new Map<string, Set<string>>();
  private seen = 0;
  private last: Item | undefined;

  constructor(
    private readonly items: () => Item[],
    private readonly traceOf: (item: Item) => string,
    private readonly keyOf: (item: Item) => string,
  ) {}

  /** Takes in what arrived since the last call. */
  refresh(): void {
    const items = this.items();
    // The receiver drops its oldest records past a size limit: find where we were.
    if (this.seen > 0 && items[this.seen - 1] !== this.last) this.seen = this.last === undefined ? 0 : items.lastIndexOf(this.last) + 1;
    for (; this.seen < items.length; this.seen++) {
      const item = items[this.seen]!;
      const traceId = this.traceOf(item);
      if (!traceId) continue;
      let keys = this.byTrace.get(traceId);
      if (!keys) this.byTrace.set(traceId, (keys = new Set()));
      keys.add(this.keyOf(item));
    }
    this.last = items[items.length - 1];
  }

  count(traceId: string): number {
    return this.byTrace.get(traceId)?.size ?? 0;
  }
}

export class Arrivals {
  private readonly spans: Tally<SpanRecord>;
  private readonly logs: Tally<LogRecord>;

  /** `records`: the receiver itself (OtlpSink), or lists filled from its /stand-in/ endpoints in containers. */
  constructor(records: { spans: SpanRecord[]; logs: LogRecord[] }) {
    const sink = records;
    this.spans = new Tally(
      () => sink.spans,
      (span) => span.traceId,
      (span) => span.spanId,
    );
    this.logs = new Tally(
      () => sink.logs,
      (record) => record.traceId,
      logKey,
    );
  }

  refresh(): void {
    this.spans.refresh();
    this.logs.refresh();
  }

  spanCount(traceId: string): number {
    return this.spans.count(traceId);
  }

  logCount(traceId: string): number {
    return this.logs.count(traceId);
  }
}
