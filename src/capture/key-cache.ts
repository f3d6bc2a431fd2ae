import type { RetryPolicy } from '../config.ts';
import { AbortedError, CaptureError } from './errors.ts';
import { fetchBytes } from './http.ts';
import { decryptAes128Segment, importAes128Key, segmentIv } from './aes-128.ts';
import { detectSegmentFormat } from './packed-audio.ts';
import type { InitSectionRef, PlaylistSegment, SegmentKey } from './playlist.ts';
import { withRetry } from './retry.ts';

/** Options of {@link KeyCache}. */
export interface KeyCacheOptions {
  /** Time limit of one key request, in milliseconds. */
  timeoutMs: number;
  /** Retries of key loads, as for segments. */
  retry: RetryPolicy;
  /** Cancels pending loads (Stop). */
  signal: AbortSignal;
  /** Source of jitter, numbers in [0, 1). */
  random?: () => number;
  /** Called before each retry wait, with the failure and the coming delay in milliseconds. */
  onRetry?: (url: string, error: unknown, attempt: number, delayMs: number) => void;
}

/** An AES-128 key could not be had: not fetchable after retries, or not 16 bytes. */
export class KeyUnavailableError extends CaptureError {
  constructor(
    readonly url: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('key-unavailable', `The decryption key ${url} is unavailable: ${reason}`, false, options);
    this.name = 'KeyUnavailableError';
  }
}

/**
 * The AES-128 keys of one recording (RFC 8216 section 4.3.2.4), fetched once per key URI and
 * kept as WebCrypto keys, and the decryption of its segments ({@link decrypt}) and init sections
 * ({@link decryptInitSection}) with them. Loads of the same URI at the same time share one
 * request. A failed load is not kept: the next segment needing that key tries again.
 */
export class KeyCache {
  private readonly keys = new Map<string, Promise<CryptoKey>>();

  constructor(private readonly options: KeyCacheOptions) {}

  /**
   * The key at `url` (absolute), fetched with retries on first use.
   * @throws KeyUnavailableError when it cannot be fetched after retries or is not 16 bytes;
   *   AbortedError when the signal aborts.
   */
  get(url: string): Promise<CryptoKey> {
    let key = this.keys.get(url);
    if (!key) {
      key = this.load(url);
      this.keys.set(url, key);
      key.catch(() => this.keys.delete(url));
    }
    return key;
  }

  /**
   * The clear bytes of a segment: decrypted with its AES-128 key and IV (RFC 8216 sections
   * 4.3.2.4 and 5.2) when it has a key, else `data` as it is.
   * @throws KeyUnavailableError when the key cannot be had or does not decrypt the segment;
   *   AbortedError when the signal aborts.
   */
  async decrypt(segment: PlaylistSegment, data: Blob): Promise<Blob> {
    const key = segment.key;
    if (!key) return data;
    const cryptoKey = await this.get(key.uri);
    try {
      return await decryptAes128Segment(data, cryptoKey, segmentIv(key.iv, segment.msn));
    } catch (error) {
      throw new KeyUnavailableError(key.uri, `it does not decrypt segment ${segment.msn} (${error instanceof Error ? error.message : String(error)})`, { cause: error });
    }
  }

  /**
   * The clear bytes of an fMP4 init section (EXT-X-MAP, RFC 8216 section 4.3.2.5). It is
   * encrypted when an AES-128 EXT-X-KEY precedes its EXT-X-MAP, which then must give an IV; the
   * playlist parser does not keep the order of the two tags, so the bytes tell: an init section
   * that already starts with an ISO BMFF box (`ftyp`, `moov`, …) is clear and kept as it is.
   * @param key - the AES-128 key in force for the segment needing the init section, or null.
   * @throws KeyUnavailableError when the init section is encrypted and its key cannot be had,
   *   gives no IV, or does not decrypt it to an ISO BMFF init section; AbortedError when the
   *   signal aborts.
   */
  async decryptInitSection(ref: InitSectionRef, key: SegmentKey | null, data: Blob): Promise<Blob> {
    if (!key || detectSegmentFormat(new Uint8Array(await data.slice(0, 8).arrayBuffer())) === 'fmp4') return data;
    if (!key.iv) {
      throw new KeyUnavailableError(key.uri, `the init section ${ref.uri} is encrypted, but its EXT-X-KEY gives no IV (RFC 8216 section 4.3.2.5 requires one)`);
    }
    const cryptoKey = await this.get(key.uri);
    let clear: Blob;
    try {
      clear = await decryptAes128Segment(data, cryptoKey, segmentIv(key.iv, 0));
    } catch (error) {
      throw new KeyUnavailableError(key.uri, `it does not decrypt the init section ${ref.uri} (${error instanceof Error ? error.message : String(error)})`, { cause: error });
    }
    if (detectSegmentFormat(new Uint8Array(await clear.slice(0, 8).arrayBuffer())) !== 'fmp4') {
      throw new KeyUnavailableError(key.uri, `it does not decrypt the init section ${ref.uri} to an fMP4 init section`);
    }
    return clear;
  }

  private async load(url: string): Promise<CryptoKey> {
    const { signal } = this.options;
    let raw: ArrayBuffer;
    try {
      const fetched = await withRetry(() => fetchBytes(url, { timeoutMs: this.options.timeoutMs, signal }), this.options.retry, {
        signal,
        random: this.options.random,
        onRetry: (error, attempt, delayMs) => this.options.onRetry?.(url, error, attempt, delayMs),
      });
      raw = await fetched.body.arrayBuffer();
    } catch (error) {
      if (error instanceof AbortedError || signal.aborted) throw new AbortedError();
      throw new KeyUnavailableError(url, error instanceof Error ? error.message : String(error), { cause: error });
    }
    try {
      return await importAes128Key(raw, url);
    } catch (error) {
      throw new KeyUnavailableError(url, error instanceof Error ? error.message : String(error), { cause: error });
    }
  }
}
