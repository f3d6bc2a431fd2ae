/**
 * Errors of the capture engine. Each carries a stable `code` for the UI and tells whether
 * a retry may help (`transient`).
 */

/** Stable codes the UI maps to messages. */
export type CaptureErrorCode =
  | 'http-status'
  | 'timeout'
  | 'network'
  | 'playlist-invalid'
  | 'playlist-empty'
  | 'key-unavailable'
  | 'stalled'
  | 'too-large'
  | 'resume-refused'
  | 'bad-request'
  | 'aborted';

/** Base class of every capture error. */
export class CaptureError extends Error {
  constructor(
    readonly code: CaptureErrorCode,
    message: string,
    /** True when trying again later may succeed (timeouts, 5xx, network errors). */
    readonly transient: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CaptureError';
  }
}

/** The server answered with a non-2xx status. 5xx, 408 and 429 are transient; other 4xx are not. */
export class HttpStatusError extends CaptureError {
  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
  ) {
    const transient = status >= 500 || status === 408 || status === 429;
    super('http-status', `${url} answered HTTP ${status}${statusText ? ` ${statusText}` : ''}`, transient);
    this.name = 'HttpStatusError';
  }
}

/** No complete response within the time limit. */
export class FetchTimeoutError extends CaptureError {
  constructor(
    readonly url: string,
    readonly timeoutMs: number,
  ) {
    super('timeout', `${url} did not answer within ${timeoutMs} ms`, true);
    this.name = 'FetchTimeoutError';
  }
}

/** The request failed below HTTP: refused, reset, DNS, offline, or blocked by CORS. */
export class NetworkError extends CaptureError {
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(
      'network',
      `Could not reach ${url} (network error, or the server does not allow this page to read it: CORS)`,
      true,
      { cause },
    );
    this.name = 'NetworkError';
  }
}

/** What a response was fetched as: a segment (or key), or a playlist. */
export type ResponseKind = 'segment' | 'playlist';

/** A body larger than the limit allowed for it (a runaway or endless "segment" or playlist). */
export class ResponseTooLargeError extends CaptureError {
  constructor(
    readonly url: string,
    /** The limit, in bytes. */
    readonly maxBytes: number,
    /** What the response was to be. */
    readonly kind: ResponseKind = 'segment',
  ) {
    const limit = maxBytes >= 1024 * 1024 ? `${Math.round(maxBytes / 1024 / 1024)} MiB` : `${Math.round(maxBytes / 1024)} KiB`;
    super('too-large', `${url} is larger than the ${limit} allowed for ${kind === 'segment' ? 'one segment' : 'a playlist'}`, false);
    this.name = 'ResponseTooLargeError';
  }
}

/** A playlist that is not a valid HLS playlist (RFC 8216 section 4). */
export class PlaylistError extends CaptureError {
  constructor(
    readonly url: string,
    reason: string,
    code: 'playlist-invalid' | 'playlist-empty' = 'playlist-invalid',
  ) {
    super(code, `${url} is not a usable HLS playlist: ${reason}`, false);
    this.name = 'PlaylistError';
  }
}

/** The operation was cancelled by its AbortSignal (Stop). Not an error to show. */
export class AbortedError extends CaptureError {
  constructor() {
    super('aborted', 'Stopped', false);
    this.name = 'AbortedError';
  }
}

/** True when `error` is worth retrying under a {@link RetryPolicy}. */
export function isTransient(error: unknown): boolean {
  return error instanceof CaptureError && error.transient;
}
