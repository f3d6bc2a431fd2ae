/**
 * The RTSP client's typed errors. Each carries the request URL without its password, so a
 * message can be logged or shown as it is.
 */

/**
 * The URL as text with any password removed (`rtsp://user@host/path`), for messages and logs.
 * Text that is not a URL is returned with anything between `//` and `@` cut out.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return parsed.href;
    parsed.password = '';
    return parsed.href;
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
}

/** Base class of the RTSP client's errors; `url` never holds a password. */
export class RtspError extends Error {
  /** Request URL without password. */
  readonly url: string;
  constructor(message: string, url: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RtspError';
    this.url = redactUrl(url);
  }
}

/** The server answered a request with a status other than 2xx (RFC 2326 section 7.1.1). */
export class RtspStatusError extends RtspError {
  /** Status code, e.g. 404. */
  readonly code: number;
  /** Reason phrase as the server sent it, e.g. `Not Found`. */
  readonly reason: string;
  /** Request method, e.g. `DESCRIBE`. */
  readonly method: string;
  constructor(code: number, reason: string, method: string, url: string) {
    super(`RTSP ${method} ${redactUrl(url)} failed: ${code} ${reason}`, url);
    this.name = 'RtspStatusError';
    this.code = code;
    this.reason = reason;
    this.method = method;
  }
}

/** Why authentication failed. */
export type RtspAuthFailure = 'credentials-missing' | 'credentials-rejected' | 'unsupported-scheme';

/**
 * The camera asked for authentication (401) and none, or a wrong one, could be given
 * (RFC 2326 section 11.4.2, RFC 7616). The message never holds the password.
 */
export class RtspAuthError extends RtspError {
  readonly failure: RtspAuthFailure;
  /** User name tried, or null when the URL had none. */
  readonly user: string | null;
  constructor(failure: RtspAuthFailure, url: string, user: string | null, detail = '') {
    const target = redactUrl(url);
    const text =
      failure === 'credentials-missing'
        ? `The camera at ${target} needs a user name and password: put them in the URL (rtsp://user:password@host/...)`
        : failure === 'credentials-rejected'
          ? `The camera at ${target} refused user name "${user ?? ''}" and its password: check both`
          : `The camera at ${target} asks for an authentication scheme Tapedeck does not speak${detail ? ` (${detail})` : ''}`;
    super(text, url);
    this.name = 'RtspAuthError';
    this.failure = failure;
    this.user = user;
  }
}

/** What did not happen in time. */
export type RtspTimeoutKind = 'connect' | 'response' | 'media';

/** A connection, a response or media did not arrive in time. */
export class RtspTimeoutError extends RtspError {
  readonly kind: RtspTimeoutKind;
  /** The limit that passed, in ms. */
  readonly timeoutMs: number;
  constructor(kind: RtspTimeoutKind, timeoutMs: number, url: string, what = '') {
    const target = redactUrl(url);
    const text =
      kind === 'connect'
        ? `No connection to ${target} within ${timeoutMs} ms`
        : kind === 'response'
          ? `No answer to ${what || 'a request'} from ${target} within ${timeoutMs} ms`
          : `No media from ${target} for ${timeoutMs} ms`;
    super(text, url);
    this.name = 'RtspTimeoutError';
    this.kind = kind;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The server broke the protocol: a malformed or oversized message, an unusable SDP or
 * Transport answer, too many redirects, or the connection closed or failed.
 */
export class RtspProtocolError extends RtspError {
  constructor(message: string, url: string, options?: { cause?: unknown }) {
    super(message, url, options);
    this.name = 'RtspProtocolError';
  }
}
