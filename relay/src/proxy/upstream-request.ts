/**
 * The proxy's upstream client: one GET through node:http/https, redirects followed here (each
 * hop's address checked by the {@link AddressPolicy}), a deadline for the response headers.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { ForbiddenAddressError, type AddressPolicy } from './address-policy.ts';

/**
 * The upstream could not be used. `code` is stable (`upstream_forbidden_address`,
 * `upstream_bad_url`, `upstream_too_many_redirects`, `upstream_timeout`,
 * `upstream_unreachable`, `upstream_too_large`, `upstream_status`, `upstream_not_playlist`);
 * `status` is the HTTP status the relay answers with.
 */
export class UpstreamError extends Error {
  override name = 'UpstreamError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Options of {@link requestUpstream}. */
export interface UpstreamRequestOptions {
  /** Headers to send to a given URL (a source's headers only inside its URL prefix). */
  headersFor: (url: URL) => Record<string, string>;
  policy: AddressPolicy;
  /** Redirects followed at most (301, 302, 303, 307, 308). */
  maxRedirects: number;
  /** Longest wait for each hop's response headers, connection included, in ms. */
  headersTimeoutMs: number;
  /** Aborts the request (client went away). */
  signal: AbortSignal;
  /** A `Range` header to forward (RFC 9110 section 14.2), for byte-range segments. */
  range?: string;
}

/** An upstream answer whose body has not been read yet. */
export interface UpstreamResponse {
  /** URL that answered, after redirects. */
  url: URL;
  status: number;
  headers: IncomingHttpHeaders;
  /** The body, to be piped or read; destroy it when not needed. */
  body: IncomingMessage;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * GETs `url`, following redirects itself: every hop is checked (scheme http/https, address by
 * the policy, on the resolved IP the socket then uses). Any status other than a redirect is
 * returned as it is, 4xx and 5xx included.
 * @throws UpstreamError `upstream_bad_url` (400) for a URL that is not http(s);
 *   `upstream_forbidden_address` (403) for a refused address, at any hop;
 *   `upstream_too_many_redirects` (502); `upstream_timeout` (504) when headers do not come in
 *   time; `upstream_unreachable` (502) for DNS, connection and TLS failures.
 */
export async function requestUpstream(url: URL, options: UpstreamRequestOptions): Promise<UpstreamResponse> {
  let current = url;
  for (let hop = 0; ; hop += 1) {
    const response = await requestOnce(current, options);
    const location = response.headers.location;
    if (!REDIRECT_STATUSES.has(response.status) || location === undefined) return response;
    response.body.resume();
    if (hop >= options.maxRedirects) {
      response.body.destroy();
      throw new UpstreamError(502, 'upstream_too_many_redirects', `${url.href} redirected more than ${options.maxRedirects} times.`);
    }
    try {
      current = new URL(location, current);
    } catch {
      throw new UpstreamError(502, 'upstream_unreachable', `${current.href} redirected to an invalid URL ${JSON.stringify(location)}.`);
    }
  }
}

/** Checks that a URL is one the proxy may fetch at all. @throws UpstreamError `upstream_bad_url`. */
export function checkUpstreamUrl(url: URL): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UpstreamError(400, 'upstream_bad_url', `Only http:// and https:// URLs can be proxied, got ${JSON.stringify(url.protocol)}.`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new UpstreamError(400, 'upstream_bad_url', 'URLs with a user name or password cannot be proxied; put credentials in a source\'s headers.');
  }
}

function requestOnce(url: URL, options: UpstreamRequestOptions): Promise<UpstreamResponse> {
  checkUpstreamUrl(url);
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  // Node does not call `lookup` for IP literals: check them here.
  if (isIP(hostname) !== 0) {
    try {
      options.policy.check(hostname, hostname);
    } catch (error) {
      return Promise.reject(toUpstreamError(error, url));
    }
  }
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<UpstreamResponse>((resolve, reject) => {
    const headers: Record<string, string> = {
      'User-Agent': 'tapedeck-relay',
      Accept: '*/*',
      'Accept-Encoding': 'identity',
      ...options.headersFor(url),
    };
    if (options.range !== undefined) headers.Range = options.range;
    const req = client.request(
      {
        protocol: url.protocol,
        hostname,
        port: url.port === '' ? undefined : Number(url.port),
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers,
        lookup: options.policy.lookup,
        signal: options.signal,
        agent: false,
      },
      (res) => {
        clearTimeout(timer);
        // Readers attach their own handlers; this one only keeps a late socket error from
        // becoming an uncaught exception that would take the relay down.
        res.on('error', () => undefined);
        resolve({ url, status: res.statusCode ?? 502, headers: res.headers, body: res });
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new UpstreamError(504, 'upstream_timeout', `${url.href} did not answer within ${options.headersTimeoutMs} ms.`));
    }, options.headersTimeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(toUpstreamError(error, url));
    });
    req.end();
  });
}

function toUpstreamError(error: unknown, url: URL): UpstreamError {
  if (error instanceof UpstreamError) return error;
  if (error instanceof ForbiddenAddressError) return new UpstreamError(403, 'upstream_forbidden_address', error.message);
  const err = error as NodeJS.ErrnoException;
  if (err.name === 'AbortError') return new UpstreamError(499, 'client_closed', 'The client went away.');
  return new UpstreamError(502, 'upstream_unreachable', `Could not reach ${url.host}: ${err.code ?? ''} ${err.message}`.replace(/\s+/g, ' ').trim());
}
