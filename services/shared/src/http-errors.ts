import { HttpError, type ErrorBody } from './errors';

// Fastify and Express report malformed requests with their own error objects. Both are
// turned into the project's JSON error shape here, so a client sees the same answer whichever
// framework a service uses.

export const MAX_BODY_BYTES = 16 * 1024;

export function toHttpError(error: unknown): { statusCode: number; body: ErrorBody; unexpected: boolean } {
  if (error instanceof HttpError) return { statusCode: error.statusCode, body: error.body, unexpected: false };
  const { code, type, statusCode, status, message } = error as {
    code?: string;
    type?: string;
    statusCode?: number;
    status?: number;
    message?: string;
  };
  const known = (s: number, name: string, text: string) => ({ statusCode: s, body: { error: name, message: text }, unexpected: false });
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || type === 'entity.too.large') {
    return known(413, 'body_too_large', `request body must be at most ${MAX_BODY_BYTES} bytes`);
  }
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return known(415, 'unsupported_media_type', 'request body must be JSON (Content-Type: application/json, UTF-8)');
  }
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return known(400, 'invalid_json', 'request body is empty; send a JSON object');
  if (
    code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    type === 'entity.parse.failed' ||
    (error instanceof SyntaxError && (statusCode ?? status) === 400)
  ) {
    return known(400, 'invalid_json', `request body is not valid JSON (${message ?? 'parse error'})`);
  }
  const clientStatus = statusCode ?? status;
  if (clientStatus !== undefined && clientStatus >= 400 && clientStatus < 500) {
    return known(clientStatus, 'bad_request', message ?? 'bad request');
  }
  return { statusCode: 500, body: { error: 'internal_error', message: 'internal error; see the service log' }, unexpected: true };
}
