import type { RetryPolicy } from '../config.ts';
import { AbortedError, CaptureError } from './errors.ts';
import { fetchBytes } from './http.ts';
import { decryptAes128Segment, importAes128Key, segmentIv } from './aes-128.ts';
import type { PlaylistSegment } from './playlist.ts';
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
 * kept as WebCrypto keys, and the decryption of its segments with them ({@link decrypt}). Loads of the same URI at the same time share one request. A failed
 * load is not kept: the next segment needing that key tries again.
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
