import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RtspProtocolError } from './errors.ts';
import { NEED_MORE_DATA, RtspMessageParser, headerValue, headerValues, type RtspIncoming } from './message-parser.ts';

const enc = new TextEncoder();

function frame(channel: number, payload: Uint8Array): Uint8Array {
  return Uint8Array.of(0x24, channel, payload.length >> 8, payload.length & 0xff, ...payload);
}

const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n';
/** Realistic pieces of a server's byte stream: the seeds of every property below. */
const pieces: Uint8Array[] = [
  enc.encode('RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER\r\n\r\n'),
  enc.encode(`RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Base: rtsp://h/a/\r\nContent-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`),
  enc.encode('RTSP/1.0 401 Unauthorized\r\nCSeq: 3\r\nWWW-Authenticate: Digest realm="r", nonce="n"\r\nWWW-Authenticate: Basic realm="r"\r\n\r\n'),
  enc.encode('RTSP/2.0 200 OK\nCSeq: 4\nSession: 12345678;timeout=60\n\n'),
  enc.encode('GET_PARAMETER rtsp://client/ RTSP/1.0\r\nCSeq: 9\r\n\r\n'),
  frame(0, Uint8Array.of(0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xaa)),
  frame(1, new Uint8Array(0)),
  frame(3, new Uint8Array(300).fill(7)),
  enc.encode('\r\n'),
];

/** Everything the parser gives for `chunks`, and the error it ended with (or null). */
function parseAll(chunks: readonly Uint8Array[], limits = {}): { items: RtspIncoming[]; error: unknown } {
  const parser = new RtspMessageParser('rtsp://h/a', limits);
  const items: RtspIncoming[] = [];
  try {
    for (const chunk of chunks) {
      parser.push(chunk);
      // Bounded: each next() either consumes bytes or says it needs more.
      for (let item = parser.next(); item !== NEED_MORE_DATA; item = parser.next()) items.push(item);
    }
    return { items, error: null };
  } catch (error) {
    return { items, error };
  }
}

function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let last = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(last, point));
    last = point;
  }
  chunks.push(bytes.subarray(last));
  return chunks;
}

const concat = (parts: readonly Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));

describe('RtspMessageParser (RFC 2326 sections 7 and 10.12)', () => {
  it('reads responses, a server request and interleaved frames mixed on one stream', () => {
    const { items, error } = parseAll([concat(pieces)]);
    expect(error).toBeNull();
    expect(items.map((i) => i.kind)).toEqual(['response', 'response', 'response', 'response', 'request', 'interleaved', 'interleaved', 'interleaved']);
    const describe = items[1]!;
    if (describe.kind !== 'response') throw new Error('not a response');
    expect(new TextDecoder().decode(describe.body)).toBe(sdp);
    expect(headerValue(describe.headers, 'content-base')).toBe('rtsp://h/a/');
    const unauthorized = items[2]!;
    if (unauthorized.kind !== 'response') throw new Error('not a response');
    expect(unauthorized.statusCode).toBe(401);
    expect(headerValues(unauthorized.headers, 'WWW-Authenticate')).toHaveLength(2);
    expect(items[3]).toMatchObject({ version: 'RTSP/2.0', statusCode: 200 });
    expect(items[4]).toMatchObject({ kind: 'request', method: 'GET_PARAMETER' });
    expect(items[7]).toMatchObject({ kind: 'interleaved', channel: 3 });
  });

  it('says "need more data" for every incomplete prefix, and holds the bytes', () => {
    const whole = pieces[1]!;
    for (let cut = 0; cut < whole.length; cut += 1) {
      const parser = new RtspMessageParser('rtsp://h/a');
      parser.push(whole.subarray(0, cut));
      expect(parser.next()).toBe(NEED_MORE_DATA);
      expect(parser.bufferedBytes).toBeLessThanOrEqual(cut);
    }
  });

  it('refuses oversized headers and bodies, and malformed messages, with RtspProtocolError', () => {
    const long = enc.encode(`RTSP/1.0 200 OK\r\nX: ${'a'.repeat(200)}`);
    expect(parseAll([long], { maxHeaderBytes: 100 }).error).toBeInstanceOf(RtspProtocolError);
    const big = enc.encode('RTSP/1.0 200 OK\r\nContent-Length: 5000\r\n\r\n');
    expect(String(parseAll([big], { maxBodyBytes: 1000 }).error)).toMatch(/5000 bytes is over the 1000-byte limit/);
    expect(String(parseAll([enc.encode('RTSP/1.0 200 OK\r\nContent-Length: -1\r\n\r\n')]).error)).toMatch(/Bad Content-Length/);
    expect(String(parseAll([enc.encode('RTSP/1.0 200 OK\r\nno colon here\r\n\r\n')]).error)).toMatch(/Malformed RTSP header/);
    expect(String(parseAll([enc.encode('HTTP/1.1 200 OK\r\n\r\n')]).error)).toMatch(/Malformed RTSP start line/);
    expect(String(parseAll([Uint8Array.of(0x00, 0x01)]).error)).toMatch(/Unexpected bytes/);
    // A bad start line fails once its header block is in, whether or not its body has come yet
    // (fast-check found the whole buffer waiting for the body where a split one had failed).
    const badStart = enc.encode('\0RTSP/1.0 200 OK\r\nContent-Length: 10\r\n\r\nv=0');
    expect(String(parseAll([badStart]).error)).toMatch(/Malformed RTSP start line/);
    expect(String(parseAll([badStart.subarray(0, 8), badStart.subarray(8)]).error)).toMatch(/Unexpected bytes/);
    expect(() => new RtspMessageParser('x', { maxBodyBytes: 0 })).toThrow(RangeError);
  });

  it('gives the same items however the same bytes are split', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), (chosen, cuts) => {
        const bytes = concat(chosen);
        const whole = parseAll([bytes]);
        const split = parseAll(splitAt(bytes, cuts));
        expect(whole.error).toBeNull();
        expect(split.items).toEqual(whole.items);
        expect(split.error).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it('never throws anything but RtspProtocolError, and never hangs, on random or mutated bytes', () => {
    const mutated = fc
      .tuple(fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 5 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 5 }))
      .map(([chosen, edits]) => {
        const bytes = concat(chosen);
        for (const [at, value] of edits) bytes[at % bytes.length] = value;
        return bytes;
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), mutated), fc.array(fc.nat(), { maxLength: 8 }), (bytes, cuts) => {
        const whole = parseAll([bytes], { maxHeaderBytes: 512, maxBodyBytes: 512 });
        const split = parseAll(splitAt(bytes, cuts), { maxHeaderBytes: 512, maxBodyBytes: 512 });
        for (const result of [whole, split]) {
          if (result.error !== null) expect(result.error).toBeInstanceOf(RtspProtocolError);
        }
        // Split or not, the same items come out before any error, and an error happens in both or neither.
        expect(split.items).toEqual(whole.items);
        expect(split.error === null).toBe(whole.error === null);
      }),
      { numRuns: 1000 },
    );
  });
});
