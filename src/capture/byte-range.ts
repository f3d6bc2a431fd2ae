import { AbortedError, CaptureError, FetchTimeoutError, HttpStatusError, NetworkError, ResponseTooLargeError } from './errors.ts';
import { fetchBytes, type Fetched, type FetchOptions } from './http.ts';
import type { ByteRange } from './playlist.ts';

/**
 * Fetching sub-ranges of a resource, as EXT-X-BYTERANGE segments and EXT-X-MAP init sections
 * with a BYTERANGE attribute need them (RFC 8216 sections 4.3.2.2 and 4.3.2.5), with an HTTP
 * Range request (RFC 9110 section 14).
 */

/** A server answered a Range request with bytes other than the ones asked for. */
export class ByteRangeError extends CaptureError {
  constructor(
    readonly url: string,
    readonly range: ByteRange,
    reason: string,
  ) {
    super('playlist-invalid', `${url} did not give bytes ${range.offsetBytes}-${range.offsetBytes + range.lengthBytes - 1} (EXT-X-BYTERANGE): ${reason}`, false);
    this.name = 'ByteRangeError';
  }
}

/** The `Range` header value asking for `range` (RFC 9110 section 14.1.2), e.g. `bytes=0-99`. */
export function rangeHeader(range: ByteRange): string {
  return `bytes=${range.offsetBytes}-${range.offsetBytes + range.lengthBytes - 1}`;
}

/**
 * Reads a `Content-Range` header (RFC 9110 section 14.4), e.g. `bytes 0-99/1234`.
 * @returns the first byte and the number of bytes, or null when the header is absent or not a
 *   satisfied byte range.
 */
export function parseContentRange(header: string | null): ByteRange | null {
  const match = header ? /^\s*bytes\s+(\d+)-(\d+)\/(?:\d+|\*)\s*$/i.exec(header) : null;
  if (!match) return null;
  const first = Number(match[1]);
  const last = Number(match[2]);
  return last >= first ? { offsetBytes: first, lengthBytes: last - first + 1 } : null;
}

/**
 * GETs `url`, or only `range` of it when given, and returns exactly those bytes.
 *
 * With a range, the request carries a `Range` header. A 206 answer must hold exactly the bytes
 * asked for (by its Content-Range where CORS lets the page read it, and by its length). A server that ignores Range answers 200 with the
 * whole resource: its body is then read as a stream and only the bytes of the range are kept
 * (the rest is dropped as it arrives, and the request is cancelled once the range is complete),
 * so the whole file is never held or stored; a body that ends before the range does fails.
 * `maxBytes` limits the range's length, not the bytes skipped before it.
 *
 * @param range - the sub-range, or null for the whole resource.
 * @throws ByteRangeError for a 206 with other bytes than asked for, a 200 body shorter than the
 *   range's end, or a 416; ResponseTooLargeError when the range is larger than `maxBytes`; and
 *   what {@link fetchBytes} throws.
 */
export async function fetchRange(url: string, range: ByteRange | null, options: FetchOptions): Promise<Fetched<Blob>> {
  if (!range) return fetchBytes(url, options);
  if (options.maxBytes !== undefined && range.lengthBytes > options.maxBytes) throw new ResponseTooLargeError(url, options.maxBytes);
  if (options.signal?.aborted) throw new AbortedError();
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
  try {
    const response = await fetch(url, { signal, cache: 'no-store', credentials: 'omit', headers: { Range: rangeHeader(range) } });
    if (response.status === 416) {
      await response.body?.cancel().catch(() => undefined);
      throw new ByteRangeError(url, range, 'the server says the range is not satisfiable (HTTP 416): the resource is shorter');
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new HttpStatusError(url, response.status, response.statusText);
    }
    const type = response.headers.get('content-type') ?? '';
    const finalUrl = response.url || url;
    if (response.status === 206) {
      // Content-Range is hidden from the page unless the server exposes it (CORS,
      // Access-Control-Expose-Headers); when hidden, the body's length is all there is to check.
      const header = response.headers.get('content-range');
      const given = parseContentRange(header);
      if ((header !== null && !given) || (given && (given.offsetBytes !== range.offsetBytes || given.lengthBytes !== range.lengthBytes))) {
        await response.body?.cancel().catch(() => undefined);
        throw new ByteRangeError(url, range, `the server sent Content-Range "${response.headers.get('content-range') ?? ''}" instead`);
      }
      const body = await readSlice(response, 0, range.lengthBytes);
      if (body.byteLength !== range.lengthBytes) throw new ByteRangeError(url, range, `the answer held ${body.byteLength} bytes`);
      return { body: new Blob([body], { type }), url: finalUrl };
    }
    // 200: the server ignored Range and sends the whole resource; keep only the range.
    const body = await readSlice(response, range.offsetBytes, range.lengthBytes);
    if (body.byteLength !== range.lengthBytes) {
      throw new ByteRangeError(url, range, `the server ignored the Range header and its whole file ends after ${range.offsetBytes + body.byteLength} bytes`);
    }
    return { body: new Blob([body], { type }), url: finalUrl };
  } catch (error) {
    if (error instanceof CaptureError) throw error;
    if (options.signal?.aborted) throw new AbortedError();
    if (timeout.signal.aborted) throw new FetchTimeoutError(url, options.timeoutMs);
    throw new NetworkError(url, error);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads bytes `skipBytes` to `skipBytes + lengthBytes` of a response body as it streams in,
 * holding no more than `lengthBytes`, and cancels the rest.
 * @returns the bytes, shorter than `lengthBytes` when the body ended first.
 */
async function readSlice(response: Response, skipBytes: number, lengthBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const out = new Uint8Array(lengthBytes);
  if (!response.body) return out.subarray(0, 0);
  const reader = response.body.getReader();
  /** Bytes of the body seen so far. */
  let seen = 0;
  let filled = 0;
  try {
    while (filled < lengthBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      const chunkStart = seen;
      seen += value.byteLength;
      const from = Math.max(0, skipBytes - chunkStart);
      if (from >= value.byteLength) continue;
      const part = value.subarray(from, Math.min(value.byteLength, from + lengthBytes - filled));
      out.set(part, filled);
      filled += part.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return out.subarray(0, filled);
}
