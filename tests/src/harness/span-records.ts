import type { SpanRecord } from '@demo/tools';

// Spans as the OTLP receiver stores them, for the unit tests of what reads them (the Tempo
// stand-in, the verdict): only what a test cares about is given, the rest is a plain span.

type Given = Pick<SpanRecord, 'traceId' | 'spanId' | 'parentSpanId' | 'service' | 'name' | 'kind' | 'startNs'> & Partial<SpanRecord>;

/** A span of half a millisecond, no events, status unset. */
export function spanRecord(given: Given): SpanRecord {
  return { endNs: given.startNs + 500_000n, attributes: {}, events: [], statusCode: 0, statusMessage: '', ...given };
}
