import { context, trace, isSpanContextValid, SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api';
import { getRPCMetadata } from '@opentelemetry/core';
import { ownTelemetryStarted } from './own-telemetry';

/** The id of the trace the current request belongs to, or null when nothing is traced. */
export function currentTraceId(): string | null {
  const context = trace.getActiveSpan()?.spanContext();
  return context && isSpanContextValid(context) ? context.traceId : null;
}

const tracer = trace.getTracer('demo-business');

/**
 * Runs fn inside a span for a business step ("reserve stock", "calculate price"), so a trace
 * reads like the workflow and not only like HTTP and SQL. Errors mark the span and rethrow.
 */
export function inSpan<T>(name: string, attributes: Attributes, fn: () => T): T {
  if (!ownTelemetryStarted()) return fn();
  return tracer.startActiveSpan(name, { attributes }, (span) => {
    try {
      const result = fn();
      if (result instanceof Promise) {
        return (result as Promise<unknown>).then(
          (value) => (span.end(), value),
          (error: unknown) => {
            failSpan(span, error);
            span.end();
            throw error;
          },
        ) as T;
      }
      span.end();
      return result;
    } catch (error) {
      failSpan(span, error);
      span.end();
      throw error;
    }
  });
}

function failSpan(span: Span, error: unknown): void {
  span.recordException(error as Error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
}

/** Marks the current span as failed without an exception (e.g. a dependency answered 5xx). */
export function markCurrentSpanFailed(message: string, attributes: Attributes = {}): void {
  const span = ownTelemetryStarted() ? trace.getActiveSpan() : undefined;
  if (!span) return;
  span.setAttributes(attributes);
  span.addEvent('exception', { 'exception.type': 'DependencyFailure', 'exception.message': message });
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/**
 * The span attribute that carries the order id, named as the OpenTelemetry Demo names it
 * (docs/manual_span_attributes.md there). It is an integer here, so the TraceQL query that
 * finds every trace of an order is `{ span.app.order.id = 3 }`: even the half of a broken
 * trace that starts past pricing carries it, which is how the page and Grafana find it.
 */
export const ORDER_ID_ATTRIBUTE = 'app.order.id';

/**
 * Puts the order id on the request's server span and on the span active now (the business
 * step, or the framework's handler span). The HTTP instrumentation keeps its server span in
 * the context's RPC metadata; without this project's SDK both are no-ops.
 */
export function tagSpansWithOrder(orderId: number): void {
  if (!ownTelemetryStarted()) return;
  trace.getActiveSpan()?.setAttribute(ORDER_ID_ATTRIBUTE, orderId);
  getRPCMetadata(context.active())?.span?.setAttribute(ORDER_ID_ATTRIBUTE, orderId);
}
