/**
 * AES-128 segment decryption of HLS (RFC 8216 section 4.3.2.4, METHOD=AES-128, and section
 * 5.2): each whole segment is encrypted with AES-128 in CBC mode with PKCS#7 padding, under a
 * 16-byte key fetched from the EXT-X-KEY URI.
 */

/** Length of an AES-128 key and of a CBC initialization vector, in bytes. */
export const AES_128_KEY_BYTES = 16;

/**
 * The initialization vector of a segment, 16 bytes (RFC 8216 section 5.2): the IV attribute
 * when present (a hexadecimal integer, left-padded with zeros to 128 bits), else the segment's
 * media sequence number as a 128-bit big-endian integer.
 * @param explicitIv - the IV attribute's bytes (1..16 of them), or null when absent.
 * @param msn - the segment's media sequence number (section 4.3.3.2), a safe integer ≥ 0.
 * @throws RangeError when `explicitIv` is longer than 16 bytes or `msn` is not a safe integer ≥ 0.
 */
export function segmentIv(explicitIv: Uint8Array | null, msn: number): Uint8Array<ArrayBuffer> {
  const iv = new Uint8Array(AES_128_KEY_BYTES);
  if (explicitIv) {
    if (explicitIv.length > AES_128_KEY_BYTES) throw new RangeError(`An IV has at most 16 bytes, not ${explicitIv.length}.`);
    iv.set(explicitIv, AES_128_KEY_BYTES - explicitIv.length);
    return iv;
  }
  if (!Number.isSafeInteger(msn) || msn < 0) throw new RangeError(`Not a media sequence number: ${msn}`);
  let rest = BigInt(msn);
  for (let index = AES_128_KEY_BYTES - 1; index >= 0 && rest > 0n; index -= 1) {
    iv[index] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return iv;
}

/**
 * Imports 16 raw key bytes as a WebCrypto AES-CBC decryption key.
 * @throws KeyLengthError when `raw` is not exactly 16 bytes.
 */
export async function importAes128Key(raw: ArrayBuffer, keyUrl: string): Promise<CryptoKey> {
  if (raw.byteLength !== AES_128_KEY_BYTES) throw new KeyLengthError(keyUrl, raw.byteLength);
  return crypto.subtle.importKey('raw', raw, { name: 'AES-CBC' }, false, ['decrypt']);
}

/**
 * Decrypts one whole AES-128 segment (CBC, PKCS#7 padding removed).
 * @param data - the encrypted segment as served.
 * @param key - from {@link importAes128Key}.
 * @param iv - 16 bytes, from {@link segmentIv}.
 * @returns the clear segment, typed `video/mp2t`.
 * @throws DOMException (OperationError) when the data is not a whole number of 16-byte blocks or
 *   the padding is wrong (a wrong key or IV).
 */
export async function decryptAes128Segment(data: Blob, key: CryptoKey, iv: Uint8Array<ArrayBuffer>): Promise<Blob> {
  const clear = await crypto.subtle.decrypt({ name: 'AES-CBC', iv }, key, await data.arrayBuffer());
  return new Blob([clear], { type: 'video/mp2t' });
}

/** A key answered with other than 16 bytes (RFC 8216 section 5.2 wants exactly 16). */
export class KeyLengthError extends Error {
  constructor(
    readonly url: string,
    readonly byteLength: number,
  ) {
    super(`The AES-128 key at ${url} has ${byteLength} bytes, not 16.`);
    this.name = 'KeyLengthError';
  }
}
