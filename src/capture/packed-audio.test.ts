import fc from 'fast-check';
import { describe, expect, inject, it } from 'vitest';
import { detectSegmentFormat, readPackedAudioPts90k, skipId3Tags, TRANSPORT_STREAM_TIMESTAMP_OWNER } from './packed-audio.ts';

const formats = inject('formatStreamsUrl');

async function head(path: string): Promise<Uint8Array> {
  const response = await fetch(`${formats}/${path}`);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer()).subarray(0, 4096);
}

const synchsafe = (n: number) => [(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f];
const bigEndian32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

/** An ID3v2 tag (version 3 or 4) with a TXXX frame and the PRIV timestamp frame (RFC 8216 3.4). */
function timestampTag(pts90k: number, version: 3 | 4): Uint8Array {
  const frame = (id: string, body: number[]) => [...[...id].map((c) => c.charCodeAt(0)), ...(version === 4 ? synchsafe(body.length) : bigEndian32(body.length)), 0, 0, ...body];
  const owner = [...new TextEncoder().encode(TRANSPORT_STREAM_TIMESTAMP_OWNER), 0];
  const pts = [0, 0, 0, Math.floor(pts90k / 2 ** 32), ...bigEndian32(pts90k % 2 ** 32)];
  const frames = [...frame('TXXX', [3, 0x61, 0, 0x62]), ...frame('PRIV', [...owner, ...pts])];
  return new Uint8Array([0x49, 0x44, 0x33, version, 0, 0, ...synchsafe(frames.length), ...frames]);
}

describe('detectSegmentFormat on segments made by ffmpeg', () => {
  it.each([
    ['vod/ts/seg000.ts', 'mpeg-ts'],
    ['vod/fmp4/init.mp4', 'fmp4'],
    ['vod/fmp4/seg001.m4s', 'fmp4'],
    ['vod/adts/seg001.aac', 'adts'],
    ['vod/adts-id3/seg001.aac', 'adts'],
    ['vod/mp3/seg001.mp3', 'mp3'],
    ['vod/fmp4/index.m3u8', 'unknown'],
  ])('%s is %s', async (path, format) => {
    expect(detectSegmentFormat(await head(path))).toBe(format);
  });

  it('empty or cut-short bytes are unknown', () => {
    expect(detectSegmentFormat(new Uint8Array())).toBe('unknown');
    expect(detectSegmentFormat(new Uint8Array([0xff]))).toBe('unknown');
    expect(detectSegmentFormat(timestampTag(0, 4))).toBe('unknown');
  });
});

describe('readPackedAudioPts90k (ID3 PRIV com.apple.streaming.transportStreamTimestamp)', () => {
  it('reads the PTS ffmpeg-made radio segments carry, and null where there is none', async () => {
    expect(readPackedAudioPts90k(await head('vod/adts-id3/seg000.aac'))).toBe(900_000);
    expect(readPackedAudioPts90k(await head('vod/adts/seg000.aac'))).toBeNull();
    // ffmpeg's MP3 segments start with an ID3 tag, but one without a timestamp.
    const mp3 = await head('vod/mp3/seg000.mp3');
    expect(skipId3Tags(mp3)).toBeGreaterThan(0);
    expect(readPackedAudioPts90k(mp3)).toBeNull();
  });

  it('property: any 33-bit PTS round-trips, in ID3v2.3 and v2.4 tags, and the audio starts after the tag', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 33 - 1 }), fc.constantFrom(3 as const, 4 as const), (pts90k, version) => {
        const tag = timestampTag(pts90k, version);
        const segment = new Uint8Array([...tag, 0xff, 0xf1, 0x50, 0x80, 0x01, 0x7f, 0xfc]);
        expect(readPackedAudioPts90k(segment)).toBe(pts90k);
        expect(skipId3Tags(segment)).toBe(tag.length);
        expect(detectSegmentFormat(segment)).toBe('adts');
      }),
    );
  });
});
