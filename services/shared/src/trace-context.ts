import { trace, isSpanContextValid, SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api';

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
  const span = trace.getActiveSpan();
  if (!span) return;
  span.setAttributes(attributes);
  span.addEvent('exception', { 'exception.type': 'DependencyFailure', 'exception.message': message });
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}
