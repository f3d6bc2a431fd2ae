import { AbortedError, FetchTimeoutError, HttpStatusError, NetworkError, ResponseTooLargeError, type ResponseKind } from './errors.ts';

/** Options of {@link fetchBytes} and {@link fetchText}. */
export interface FetchOptions {
  /** Limit for the whole exchange, body included, in milliseconds. */
  timeoutMs: number;
  /** Cancels the request (Stop); it then rejects with {@link AbortedError}. */
  signal?: AbortSignal;
  /**
   * Largest body accepted, in bytes; a larger one (by Content-Length, or once that many bytes
   * have come) is cancelled and rejects with {@link ResponseTooLargeError}. Default: no limit.
   */
  maxBytes?: number;
  /**
   * Lets the browser read a body of declared length within `maxBytes` that is not content-coded
   * straight into a Blob (`Response.blob()`): no copy passes through JavaScript. Chromium then
   * holds the bytes in its browser process until the Blob object is garbage-collected, which a
   * long-lived context's collector rarely does for such small objects; so this is only for the
   * segment fetch workers (src/capture/segment-fetch-worker.ts), whose Blobs all go when the
   * worker is terminated. Default false: chunks read here, counted as this context's memory.
   */
  readDirect?: boolean;
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
    if (error instanceof HttpStatusError || error instanceof ResponseTooLargeError) throw error;
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
 *   NetworkError for failures below HTTP (including CORS); AbortedError when `signal` aborts;
 *   ResponseTooLargeError when the body exceeds `maxBytes`.
 */
export function fetchBytes(url: string, options: FetchOptions): Promise<Fetched<Blob>> {
  const { maxBytes } = options;
  if (maxBytes === undefined) return fetchWith(url, options, (r) => r.blob());
  return fetchWith(url, options, (r) => readCapped(r, url, maxBytes, options.readDirect ?? false));
}

/**
 * Reads a response body as a Blob, never holding more than `maxBytes` of it.
 *
 * With `readDirect` (see {@link FetchOptions.readDirect}), a body whose length the response
 * declares within `maxBytes` and that is not content-coded is read by `Response.blob()`; HTTP
 * framing holds it to the declared length (RFC 9112 section 6.3). A compressed body's decoded
 * size is not its Content-Length (cross-origin responses hide Content-Encoding unless exposed,
 * so the size is checked after as well); it, and a body of unknown length, is read in chunks.
 *
 * Without it, never `Response.blob()`, though it copies less: in a page its data stays in the
 * browser process until the page's collector gets round to the small Blob objects, and a long
 * recording left gigabytes held there (the 2.2 GB export test read 2.5 GB for the whole
 * browser, against 1.6 GB with chunks). Chunks count as this context's memory instead.
 * @throws ResponseTooLargeError as soon as Content-Length or the bytes read exceed `maxBytes`.
 */
async function readCapped(response: Response, url: string, maxBytes: number, readDirect: boolean, kind: ResponseKind = 'segment'): Promise<Blob> {
  const type = response.headers.get('content-type') ?? '';
  const lengthHeader = response.headers.get('content-length');
  const declared = lengthHeader === null ? NaN : Number(lengthHeader);
  if (declared > maxBytes || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    if (declared > maxBytes) throw new ResponseTooLargeError(url, maxBytes, kind);
    return new Blob([], { type });
  }
  const coding = response.headers.get('content-encoding');
  if (readDirect && Number.isFinite(declared) && (coding === null || coding === 'identity')) {
    const blob = await response.blob();
    if (blob.size > maxBytes) throw new ResponseTooLargeError(url, maxBytes, kind);
    return blob;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return new Blob(chunks, { type });
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new ResponseTooLargeError(url, maxBytes, kind);
    }
    chunks.push(value);
  }
}

/**
 * Like {@link fetchBytes}, for text bodies such as playlists, decoded as UTF-8 (RFC 8216
 * section 4.1). With `maxBytes` the body is read in chunks and cut off past it.
 * @throws as {@link fetchBytes}; ResponseTooLargeError (kind `playlist`) past `maxBytes`.
 */
export function fetchText(url: string, options: FetchOptions): Promise<Fetched<string>> {
  const { maxBytes } = options;
  if (maxBytes === undefined) return fetchWith(url, options, (r) => r.text());
  return fetchWith(url, options, async (r) => (await readCapped(r, url, maxBytes, false, 'playlist')).text());
}
