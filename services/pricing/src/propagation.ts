import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from '@demo/shared';

// The seed's lesson in one function. Without an OpenTelemetry SDK nothing links the request
// pricing receives to the request it sends to notifications: an Envoy sidecar (or the eBPF
// agent) sees two unrelated requests, and the trace breaks here. Copying the W3C trace
// headers from the incoming request onto the outgoing one is all it takes to keep one trace.
//
// With PROPAGATE_TRACE_HEADERS=false this returns no headers: that is the whole difference
// between the "envoy" and "envoy-propagation" modes.

const TRACE_HEADERS = ['traceparent', 'tracestate', 'baggage'] as const;

export function traceHeadersToForward(incoming: IncomingHttpHeaders, enabled: boolean, logger: Logger): Record<string, string> {
  if (!enabled) return {};
  const forwarded: Record<string, string> = {};
  for (const name of TRACE_HEADERS) {
    const value = incoming[name];
    if (typeof value !== 'string' || value === '') continue;
    forwarded[name] = value;
    logger.info(`Propagating header ${name}=${value}`);
  }
  return forwarded;
}
