import { describe, expect, it } from 'vitest';
import { decryptAes128Segment, importAes128Key, KeyLengthError, segmentIv } from './aes-128.ts';

const hex = (text: string) => Uint8Array.from(text.match(/../g)!.map((byte) => parseInt(byte, 16)));
const toHex = (bytes: ArrayBuffer | Uint8Array) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');

describe('segmentIv (RFC 8216 section 5.2)', () => {
  it('is the media sequence number as a 128-bit big-endian integer when no IV attribute is given', () => {
    expect(toHex(segmentIv(null, 0))).toBe('0'.repeat(32));
    expect(toHex(segmentIv(null, 1))).toBe(`${'0'.repeat(31)}1`);
    expect(toHex(segmentIv(null, 0x1_0203_0405))).toBe(`${'0'.repeat(22)}0102030405`);
    expect(toHex(segmentIv(null, Number.MAX_SAFE_INTEGER))).toBe(`${'0'.repeat(18)}1fffffffffffff`);
  });

  it('is the IV attribute, left-padded to 16 bytes, when given', () => {
    expect(toHex(segmentIv(hex('0102'), 99))).toBe(`${'0'.repeat(28)}0102`);
    expect(toHex(segmentIv(hex('000102030405060708090a0b0c0d0e0f'), 5))).toBe('000102030405060708090a0b0c0d0e0f');
  });

  it('refuses an IV longer than 16 bytes and a negative or fractional msn', () => {
    expect(() => segmentIv(new Uint8Array(17), 0)).toThrow(RangeError);
    expect(() => segmentIv(null, -1)).toThrow(RangeError);
    expect(() => segmentIv(null, 1.5)).toThrow(RangeError);
  });
});

describe('decryptAes128Segment (AES-128-CBC with PKCS#7 padding)', () => {
  // NIST SP 800-38A, F.2.1 CBC-AES128.Encrypt, first block.
  const nistKey = hex('2b7e151628aed2a6abf7158809cf4f3c');
  const nistIv = hex('000102030405060708090a0b0c0d0e0f');
  const nistPlain = hex('6bc1bee22e409f96e93d7e117393172a');
  const nistCipherBlock1 = '7649abac8119b246cee98e9b12e9197d';

  it('decrypts the NIST SP 800-38A vector as WebCrypto encrypts it (with the PKCS#7 padding block)', async () => {
    const encryptKey = await crypto.subtle.importKey('raw', nistKey, 'AES-CBC', false, ['encrypt']);
    const cipher = await crypto.subtle.encrypt({ name: 'AES-CBC', iv: nistIv }, encryptKey, nistPlain);
    expect(cipher.byteLength).toBe(32);
    expect(toHex(cipher.slice(0, 16))).toBe(nistCipherBlock1);
    const clear = await decryptAes128Segment(new Blob([cipher]), await importAes128Key(nistKey.buffer, 'k'), nistIv);
    expect(toHex(await clear.arrayBuffer())).toBe(toHex(nistPlain));
  });

  it('round-trips a segment-sized body of any length with the implicit IV of its msn', async () => {
    const raw = crypto.getRandomValues(new Uint8Array(16));
    const body = crypto.getRandomValues(new Uint8Array(188 * 101 + 7));
    const iv = segmentIv(null, 4711);
    const encryptKey = await crypto.subtle.importKey('raw', raw, 'AES-CBC', false, ['encrypt']);
    const cipher = await crypto.subtle.encrypt({ name: 'AES-CBC', iv }, encryptKey, body);
    const clear = await decryptAes128Segment(new Blob([cipher]), await importAes128Key(raw.buffer, 'k'), iv);
    expect(toHex(await clear.arrayBuffer())).toBe(toHex(body));
  });

  it('rejects a body that is not whole blocks, and with a wrong key (the PKCS#7 padding check fails)', async () => {
    const key = await importAes128Key(nistKey.buffer, 'k');
    await expect(decryptAes128Segment(new Blob([new Uint8Array(15)]), key, nistIv)).rejects.toThrow();
    // Fixed keys, so that the wrong key's padding is wrong every run (a random one passes 1 in ~256).
    const otherKey = await crypto.subtle.importKey('raw', new Uint8Array(16), 'AES-CBC', false, ['encrypt']);
    const cipher = await crypto.subtle.encrypt({ name: 'AES-CBC', iv: nistIv }, otherKey, nistPlain);
    await expect(decryptAes128Segment(new Blob([cipher]), key, nistIv)).rejects.toThrow();
  });

  it('garbles the first block with a wrong IV (the IV matters, and only to the first block in CBC)', async () => {
    const key = await importAes128Key(nistKey.buffer, 'k');
    const encryptKey = await crypto.subtle.importKey('raw', nistKey, 'AES-CBC', false, ['encrypt']);
    const body = new Uint8Array(48).fill(7);
    const cipher = await crypto.subtle.encrypt({ name: 'AES-CBC', iv: segmentIv(null, 1) }, encryptKey, body);
    const clear = new Uint8Array(await (await decryptAes128Segment(new Blob([cipher]), key, segmentIv(null, 2))).arrayBuffer());
    expect(toHex(clear.slice(16))).toBe(toHex(body.slice(16)));
    expect(toHex(clear.slice(0, 16))).not.toBe(toHex(body.slice(0, 16)));
  });

  it('importAes128Key refuses a key that is not 16 bytes', async () => {
    await expect(importAes128Key(new ArrayBuffer(15), 'https://k.example/key')).rejects.toBeInstanceOf(KeyLengthError);
    await expect(importAes128Key(new ArrayBuffer(32), 'https://k.example/key')).rejects.toThrow('32 bytes, not 16');
  });
});
