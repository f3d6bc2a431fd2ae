import { describe, expect, inject, it } from 'vitest';
import { ByteRangeError, fetchRange, parseContentRange, rangeHeader } from './byte-range.ts';
import { ResponseTooLargeError } from './errors.ts';

const formats = inject('formatStreamsUrl');
const FILE = 'vod/byterange/single.ts';
const options = { timeoutMs: 10_000 };

async function whole(): Promise<Uint8Array> {
  return new Uint8Array(await (await fetch(`${formats}/${FILE}`)).arrayBuffer());
}

async function bytes(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.arrayBuffer());
}

describe('Range and Content-Range headers (RFC 9110 section 14)', () => {
  it('asks for first-last, inclusive', () => {
    expect(rangeHeader({ offsetBytes: 0, lengthBytes: 1 })).toBe('bytes=0-0');
    expect(rangeHeader({ offsetBytes: 35720, lengthBytes: 41172 })).toBe('bytes=35720-76891');
  });

  it.each([
    ['bytes 0-99/1234', { offsetBytes: 0, lengthBytes: 100 }],
    ['bytes 10-10/*', { offsetBytes: 10, lengthBytes: 1 }],
    ['BYTES 5-9/10', { offsetBytes: 5, lengthBytes: 5 }],
    ['bytes */1234', null],
    ['bytes 9-5/10', null],
    ['items 0-1/2', null],
    [null, null],
  ] as const)('reads %s', (header, expected) => {
    expect(parseContentRange(header)).toEqual(expected);
  });
});

describe('fetchRange against real servers', () => {
  const range = { offsetBytes: 1000, lengthBytes: 5000 };

  it('a server that honours Range: exactly the bytes asked for', async () => {
    const fetched = await fetchRange(`${formats}/${FILE}`, range, options);
    expect(await bytes(fetched.body)).toEqual((await whole()).subarray(1000, 6000));
  });

  it('a server that ignores Range (200, whole file): the same bytes, sliced from the stream', async () => {
    const fetched = await fetchRange(`${formats}/norange/${FILE}`, range, options);
    expect(fetched.body.size).toBe(5000);
    expect(await bytes(fetched.body)).toEqual((await whole()).subarray(1000, 6000));
  });

  it('null range: the whole resource', async () => {
    expect((await fetchRange(`${formats}/${FILE}`, null, options)).body.size).toBe((await whole()).byteLength);
  });

  it('a range past the end: ByteRangeError from a Range server (416) and from one that ignores Range', async () => {
    const far = { offsetBytes: 50_000_000, lengthBytes: 10 };
    const honoured = await fetchRange(`${formats}/${FILE}`, far, options).catch((e: unknown) => e);
    expect(honoured).toBeInstanceOf(ByteRangeError);
    expect((honoured as Error).message).toMatch(/bytes 50000000-50000009.*416/);
    const ignored = await fetchRange(`${formats}/norange/${FILE}`, far, options).catch((e: unknown) => e);
    expect(ignored).toBeInstanceOf(ByteRangeError);
    expect((ignored as Error).message).toContain('ignored the Range header');
  });

  it('a 206 with other bytes than asked for is refused, naming its Content-Range', async () => {
    const error = await fetchRange(`${formats}/wrong-range/${FILE}`, range, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ByteRangeError);
    expect((error as Error).message).toContain('Content-Range "bytes 1001-6000/');
  });

  it('a range longer than maxBytes is refused before any request', async () => {
    const error = await fetchRange('http://127.0.0.1:9/never', { offsetBytes: 0, lengthBytes: 2048 }, { ...options, maxBytes: 1024 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
  });
});
