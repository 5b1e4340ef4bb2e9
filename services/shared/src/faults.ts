import type { IncomingHttpHeaders } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { propagation, trace } from '@opentelemetry/api';
import { ownTelemetryStarted } from './own-telemetry';
import { HttpError } from './errors';
import type { Logger } from './logger';
import type { Database } from './sqlite';
import { inSpan } from './trace-context';

// Faults a request asks for, so a learner can make one service slow or failing and watch it
// in the trace, the logs, the metrics and an alert. The request carries it in W3C baggage:
//
//   baggage: demo.fault=<service>:<kind>
//
//   service   orders | inventory | pricing | notifications
//   kind      slow         the service waits INJECTED_DELAY_MS inside a span of its own
//             error        the service answers 500 {"error":"injected_fault", ...}
//             slow-query   the service runs a slow SQL statement (a million-row scan)
//
// Only the named service acts; the others pass the baggage on (the SDK's propagators do it,
// and pricing without an SDK only when it copies the trace headers). So a fault aimed past
// pricing never arrives in the "envoy" mode, exactly like the trace. A value that does not
// parse is ignored: a fault is a demo switch, never a reason to refuse an order.

export const FAULT_BAGGAGE_KEY = 'demo.fault';
export const FAULT_SERVICES = ['orders', 'inventory', 'pricing', 'notifications'] as const;
export const FAULT_KINDS = ['slow', 'error', 'slow-query'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export interface Fault {
  service: string;
  kind: FaultKind;
}

/** Long enough to stand out in any waterfall, short enough for every caller's timeout (1.5 s and up). */
export const INJECTED_DELAY_MS = 1000;
/** The W3C baggage limit: members past it are not read, as the SDK's propagator does not read them. */
const MAX_BAGGAGE_BYTES = 8192;

/** "pricing:slow" -> { service: 'pricing', kind: 'slow' }; anything else -> null. */
export function parseFault(value: string | undefined): Fault | null {
  if (value === undefined) return null;
  const [service, kind, ...rest] = value.trim().split(':');
  if (rest.length > 0 || !service || !kind) return null;
  if (!(FAULT_SERVICES as readonly string[]).includes(service) || !(FAULT_KINDS as readonly string[]).includes(kind)) return null;
  return { service, kind: kind as FaultKind };
}

/**
 * The fault in a raw `baggage` header, for a service without an SDK (pricing in the Envoy and
 * eBPF modes). Members are "key=value;properties", comma-separated, values percent-encoded.
 */
export function faultFromBaggageHeader(header: string | string[] | undefined): Fault | null {
  const joined = Array.isArray(header) ? header.join(',') : header;
  if (!joined) return null;
  let bytesRead = 0;
  for (const member of joined.split(',')) {
    bytesRead += member.length + 1;
    if (bytesRead > MAX_BAGGAGE_BYTES) return null;
    const [pair = ''] = member.split(';');
    const equals = pair.indexOf('=');
    if (equals < 0 || pair.slice(0, equals).trim() !== FAULT_BAGGAGE_KEY) continue;
    try {
      return parseFault(decodeURIComponent(pair.slice(equals + 1)));
    } catch {
      return null; // a malformed %-escape
    }
  }
  return null;
}

/**
 * The fault this request asks `service` for, or null. With an SDK loaded the baggage is read
 * through the OpenTelemetry API (the SDK extracted it with the trace context); without one,
 * from the incoming header itself.
 */
export function requestedFault(service: string, headers: IncomingHttpHeaders): FaultKind | null {
  const sdkLoaded = propagation.fields().length > 0;
  const fault = sdkLoaded
    ? parseFault(propagation.getActiveBaggage()?.getEntry(FAULT_BAGGAGE_KEY)?.value)
    : faultFromBaggageHeader(headers.baggage);
  return fault?.service === service ? fault.kind : null;
}

export interface FaultTarget {
  service: string;
  logger: Logger;
  /** The service's own database, for the slow statement. */
  db: Database;
}

/** Does what the request's fault asks of this service, if anything: waits, throws a 500, or runs a slow statement. */
export async function injectRequestedFault(headers: IncomingHttpHeaders, target: FaultTarget): Promise<void> {
  const kind = requestedFault(target.service, headers);
  if (!kind) return;
  const { service, logger, db } = target;
  const fault = `${service}:${kind}`;
  const attributes = { 'demo.fault': fault };
  if (ownTelemetryStarted()) trace.getActiveSpan()?.setAttributes(attributes);
  logger.warn({ fault }, `injecting fault ${fault} (baggage ${FAULT_BAGGAGE_KEY})`);
  switch (kind) {
    case 'slow':
      await inSpan('injected delay', { ...attributes, 'demo.fault.delay_ms': INJECTED_DELAY_MS }, () => sleep(INJECTED_DELAY_MS));
      return;
    case 'error':
      inSpan('injected error', attributes, () => {
        throw new HttpError(500, {
          error: 'injected_fault',
          service,
          message: `${service} failed on purpose (baggage ${FAULT_BAGGAGE_KEY}=${fault})`,
        });
      });
      return;
    case 'slow-query':
      db.runSlowQuery();
      return;
  }
}
