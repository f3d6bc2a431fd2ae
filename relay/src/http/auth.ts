/**
 * Bearer-token authentication (RFC 6750): `Authorization: Bearer <token>` (section 2.1) or a
 * `token` URI query parameter (section 2.3), which media elements and hls.js can carry on every
 * request without custom headers.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors.ts';

/**
 * The token a request presents: the `Authorization: Bearer` credentials, else the `token`
 * query parameter, else null.
 */
export function presentedToken(req: IncomingMessage, url: URL): string | null {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1] ?? '';
  }
  return url.searchParams.get('token');
}

/**
 * Checks the request's token against `expected` in constant time (SHA-256 of both compared).
 * @throws HttpError 401 `unauthorized` (with `WWW-Authenticate: Bearer`) when no token or a
 *   wrong one is presented.
 */
export function requireToken(req: IncomingMessage, url: URL, expected: string): void {
  const token = presentedToken(req, url);
  if (token === null || token === '') {
    throw new HttpError(401, 'unauthorized', 'This relay needs its access token: send "Authorization: Bearer <token>" or add ?token=<token> to the URL.', {
      'WWW-Authenticate': 'Bearer realm="tapedeck-relay"',
    });
  }
  const a = createHash('sha256').update(token).digest();
  const b = createHash('sha256').update(expected).digest();
  if (!timingSafeEqual(a, b)) {
    throw new HttpError(401, 'unauthorized', 'The access token is wrong. It is in the relay\'s token file, beside its camera list.', {
      'WWW-Authenticate': 'Bearer realm="tapedeck-relay", error="invalid_token"',
    });
  }
}
