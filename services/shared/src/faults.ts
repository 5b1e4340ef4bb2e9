import type { IncomingHttpHeaders } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultTextMapGetter, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { W3CBaggagePropagator } from '@opentelemetry/core';
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

/** "pricing:slow" -> { service: 'pricing', kind: 'slow' }; anything else -> null. */
export function parseFault(value: string | undefined): Fault | null {
  if (value === undefined) return null;
  const [service, kind, ...rest] = value.trim().split(':');
  if (rest.length > 0 || !service || !kind) return null;
  if (!(FAULT_SERVICES as readonly string[]).includes(service) || !(FAULT_KINDS as readonly string[]).includes(kind)) return null;
  return { service, kind: kind as FaultKind };
}

// Reads a request's own baggage header the way the SDK's propagator would: W3C limits,
// percent-decoding, malformed members skipped.
const baggageFromHeaders = new W3CBaggagePropagator();

/** The fault a request's headers ask for, read by @opentelemetry/core's W3C baggage propagator. */
export function faultFromHeaders(headers: IncomingHttpHeaders): Fault | null {
  const extracted = baggageFromHeaders.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  return parseFault(propagation.getBaggage(extracted)?.getEntry(FAULT_BAGGAGE_KEY)?.value);
}

/**
 * The fault this request asks `service` for, or null. With an SDK loaded, its propagator has
 * already put the request's baggage into the active context; without one (pricing in the
 * Envoy, eBPF and "none" modes) nothing has, and the same propagator reads the headers here.
 */
export function requestedFault(service: string, headers: IncomingHttpHeaders): FaultKind | null {
  const sdkLoaded = propagation.fields().length > 0;
  const fault = sdkLoaded ? parseFault(propagation.getActiveBaggage()?.getEntry(FAULT_BAGGAGE_KEY)?.value) : faultFromHeaders(headers);
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
