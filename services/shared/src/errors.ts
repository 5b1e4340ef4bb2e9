// One JSON error shape for all four services, so a client (or the web UI) can always tell
// what went wrong and where:
//   400/404/413/422  { "error": "invalid_field", "field": "quantity", "message": "..." }
//   502/504          { "error": "dependency_failed", "dependency": "pricing", "message": "..." }

export interface ErrorBody {
  error: string;
  message: string;
  field?: string;
  dependency?: string;
  [extra: string]: unknown;
}

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: ErrorBody,
  ) {
    super(body.message);
  }
}

export function invalidField(field: string, message: string, statusCode = 400): HttpError {
  return new HttpError(statusCode, { error: 'invalid_field', field, message });
}

export function notFound(message: string): HttpError {
  return new HttpError(404, { error: 'not_found', message });
}

/** How a call to another service went wrong, as a value the caller decides what to do with. */
export interface DependencyFailure {
  dependency: string;
  /** timeout: no answer in time; unreachable: connection failed; bad_status: it answered 5xx or garbage */
  kind: 'timeout' | 'unreachable' | 'bad_status';
  message: string;
  /** The status the dependency answered with, when it answered. */
  status?: number;
}

/** 504 when the dependency was too slow, 502 for everything else, naming the dependency. */
export function dependencyFailed(failure: DependencyFailure, extra: Record<string, unknown> = {}): HttpError {
  return new HttpError(failure.kind === 'timeout' ? 504 : 502, {
    error: 'dependency_failed',
    dependency: failure.dependency,
    message: failure.message,
    ...extra,
  });
}
