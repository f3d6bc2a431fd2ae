import { AbortedError, FetchTimeoutError, HttpStatusError, NetworkError } from './errors.ts';

/** Options of {@link fetchBytes} and {@link fetchText}. */
export interface FetchOptions {
  /** Limit for the whole exchange, body included, in milliseconds. */
  timeoutMs: number;
  /** Cancels the request (Stop); it then rejects with {@link AbortedError}. */
  signal?: AbortSignal;
}

/** A fetched body with the URL it finally came from (after redirects). */
export interface Fetched<T> {
  body: T;
  /** Final URL after redirects; relative URIs in a playlist resolve against it (RFC 8216 section 4.1). */
  url: string;
}

async function fetchWith<T>(url: string, options: FetchOptions, read: (r: Response) => Promise<T>): Promise<Fetched<T>> {
  if (options.signal?.aborted) throw new AbortedError();
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
  try {
    const response = await fetch(url, { signal, cache: 'no-store', credentials: 'omit' });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new HttpStatusError(url, response.status, response.statusText);
    }
    return { body: await read(response), url: response.url || url };
  } catch (error) {
    if (error instanceof HttpStatusError) throw error;
    if (options.signal?.aborted) throw new AbortedError();
    if (timeout.signal.aborted) throw new FetchTimeoutError(url, options.timeoutMs);
    throw new NetworkError(url, error);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * GETs `url` and returns its body as a Blob.
 * @throws HttpStatusError for a non-2xx status; FetchTimeoutError past `timeoutMs`;
 *   NetworkError for failures below HTTP (including CORS); AbortedError when `signal` aborts.
 */
export function fetchBytes(url: string, options: FetchOptions): Promise<Fetched<Blob>> {
  return fetchWith(url, options, (r) => r.blob());
}

/** Like {@link fetchBytes}, for text bodies such as playlists. */
export function fetchText(url: string, options: FetchOptions): Promise<Fetched<string>> {
  return fetchWith(url, options, (r) => r.text());
}
