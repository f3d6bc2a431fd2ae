/**
 * Error answers of the relay's HTTP API: JSON bodies `{ error: { code, message } }` with the
 * right status (RFC 9110 section 15).
 */
import type { ServerResponse } from 'node:http';

/**
 * An error a client should see: HTTP `status`, a stable machine-readable `code`
 * (`not_found`, `invalid_body`, `upstream_forbidden_address`, ...) and a human `message`.
 * Throw it from any handler; the server turns it into the JSON error answer.
 */
export class HttpError extends Error {
  override name = 'HttpError';
  /**
   * @param status HTTP status code, 400 to 599.
   * @param code Stable snake_case identifier clients may branch on.
   * @param message One sentence for people; must not contain secrets.
   * @param headers Extra response headers (`Allow` on 405, `WWW-Authenticate` on 401).
   */
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string };
}

/**
 * Sends `body` as JSON (`application/json; charset=utf-8`, `Cache-Control: no-store`) with
 * `status`, plus `headers`. Does nothing when headers were already sent.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

/**
 * Sends `error` as `{ error: { code, message } }`. When headers were already sent (a proxied
 * body failed midway) the response is destroyed instead, so the client sees a cut transfer
 * rather than a complete-looking short one.
 */
export function sendError(res: ServerResponse, error: HttpError, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy(error);
    return;
  }
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  sendJson(res, error.status, body, { ...headers, ...error.headers });
}
