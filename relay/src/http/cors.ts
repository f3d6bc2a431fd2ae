/**
 * CORS for the relay (Fetch Standard, "CORS protocol"): only configured origins get
 * `Access-Control-Allow-Origin`, reflected exactly; any other origin gets no CORS headers at all,
 * so its pages cannot read the answers.
 */
import type { IncomingMessage } from 'node:http';

/** Methods the API answers; sent in preflight answers. */
const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, DELETE, OPTIONS';
/** Request headers pages may send. */
const ALLOWED_HEADERS = 'Authorization, Content-Type, Range';
/** Response headers pages may read (hls.js reads Content-Length and Content-Range). */
const EXPOSED_HEADERS = 'Content-Length, Content-Range, Content-Type';
/** How long browsers may cache a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE_SEC = 600;

/**
 * CORS headers for an answer to `req`: `Access-Control-Allow-Origin` (the request's Origin,
 * when it is in `allowedOrigins`), `Access-Control-Expose-Headers` and always `Vary: Origin`.
 * @param allowedOrigins Origins as `scheme://host[:port]`, compared exactly.
 * @returns Headers to add to any answer; only `Vary` when the origin is absent or not allowed.
 */
export function corsHeaders(req: IncomingMessage, allowedOrigins: readonly string[]): Record<string, string> {
  const origin = req.headers.origin;
  if (origin === undefined || !allowedOrigins.includes(origin)) return { Vary: 'Origin' };
  return {
    Vary: 'Origin',
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Expose-Headers': EXPOSED_HEADERS,
  };
}

/**
 * Headers of the answer to a preflight (`OPTIONS` with `Access-Control-Request-Method`): the
 * allowed methods and headers and a max age when the origin is allowed, nothing else otherwise.
 */
export function preflightHeaders(req: IncomingMessage, allowedOrigins: readonly string[]): Record<string, string> {
  const headers = corsHeaders(req, allowedOrigins);
  if (headers['Access-Control-Allow-Origin'] === undefined) return headers;
  return {
    ...headers,
    'Access-Control-Allow-Methods': ALLOWED_METHODS,
    'Access-Control-Allow-Headers': ALLOWED_HEADERS,
    'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_SEC),
  };
}
