import { describe, it, expect } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import HLS from 'hls-parser';
import fc from 'fast-check';
import {
  buildDemoLivePlaylist,
  demoDiscontinuitySequence,
  demoNewestMediaSequence,
  demoSegmentStartMs,
  type DemoSegment,
} from './live-playlist.ts';
import { createDemoStreamMiddleware, demoSegmentDiskName } from './vite-plugin.ts';

const EPOCH_MS = 1_700_000_000_000;
const PREFIX = '/demo/segments/';
/** 3-segment clip, loop length 5.5 s; MSN 3, 6, 9, ... start a new loop. */
const CLIP: DemoSegment[] = [
  { uri: 'a.ts', durationSec: 2 },
  { uri: 'b.ts', durationSec: 2 },
  { uri: 'c.ts', durationSec: 1.5 },
];

function build(elapsedMs: number, windowSize = 6, segments = CLIP): string {
  return buildDemoLivePlaylist({
    nowMs: EPOCH_MS + elapsedMs,
    epochMs: EPOCH_MS,
    segments,
    windowSize,
    uriPrefix: PREFIX,
  });
}

function parse(text: string): HLS.types.MediaPlaylist {
  const playlist = HLS.parse(text);
  if (playlist.isMasterPlaylist) throw new Error('expected a media playlist');
  return playlist;
}

/** URIs that directly follow an EXT-X-DISCONTINUITY line. */
function urisAfterDiscontinuity(text: string): string[] {
  const lines = text.trim().split('\n');
  return lines.flatMap((line, i) => (line === '#EXT-X-DISCONTINUITY' ? [lines[i + 2] ?? ''] : []));
}

describe('demoNewestMediaSequence', () => {
  it('starts at 0 and rises by one per completed segment', () => {
    const msnAt = (elapsedMs: number) => demoNewestMediaSequence(EPOCH_MS + elapsedMs, EPOCH_MS, CLIP);
    expect(msnAt(-10_000)).toBe(0);
    expect(msnAt(0)).toBe(0);
    expect(msnAt(1_999)).toBe(0);
    expect(msnAt(3_999)).toBe(0);
    expect(msnAt(4_000)).toBe(1);
    expect(msnAt(5_499)).toBe(1);
    expect(msnAt(5_500)).toBe(2); // end of first loop
    expect(msnAt(7_500)).toBe(3); // first segment of loop 2 complete
    expect(msnAt(3_600_000)).toBeGreaterThan(msnAt(60_000));
  });

  it('publishes MSN k exactly when segment k ends', () => {
    for (let msn = 0; msn < 20; msn++) {
      const endMs = demoSegmentStartMs(msn + 1, CLIP);
      expect(demoNewestMediaSequence(EPOCH_MS + endMs, EPOCH_MS, CLIP)).toBe(msn);
      if (msn > 0) expect(demoNewestMediaSequence(EPOCH_MS + endMs - 1, EPOCH_MS, CLIP)).toBe(msn - 1);
    }
  });
});

describe('buildDemoLivePlaylist', () => {
  it('is a live playlist with the required header tags and no ENDLIST', () => {
    const text = build(60_000);
    expect(text.startsWith('#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n')).toBe(true);
    expect(text).toMatch(/^#EXT-X-MEDIA-SEQUENCE:\d+$/m);
    expect(text).toMatch(/^#EXT-X-DISCONTINUITY-SEQUENCE:\d+$/m);
    expect(text).not.toContain('#EXT-X-ENDLIST');
    expect(text).toContain('#EXTINF:1.5,\n/demo/segments/c.ts\n');
  });

  it('media sequence rises with wall-clock time', () => {
    const seq = (elapsedMs: number) => parse(build(elapsedMs)).mediaSequenceBase ?? 0;
    expect(seq(60_000)).toBeGreaterThan(seq(30_000));
    expect(seq(600_000)).toBeGreaterThan(seq(60_000));
  });

  it('respects the window size, listing fewer segments right after the epoch', () => {
    expect(parse(build(0, 6)).segments).toHaveLength(1);
    expect(parse(build(5_500, 6)).segments).toHaveLength(3);
    expect(parse(build(60_000, 6)).segments).toHaveLength(6);
    expect(parse(build(60_000, 2)).segments).toHaveLength(2);
    expect(parse(build(86_400_000, 6)).segments).toHaveLength(6);
  });

  it('puts EXT-X-DISCONTINUITY exactly before loop starts, never before MSN 0', () => {
    const early = build(20_000, 100); // MSN 0..10 listed
    expect(early).toContain('#EXT-X-MEDIA-SEQUENCE:0\n');
    expect(urisAfterDiscontinuity(early)).toEqual([`${PREFIX}a.ts`, `${PREFIX}a.ts`, `${PREFIX}a.ts`]);
    const parsed = parse(early);
    parsed.segments.forEach((s) => {
      expect(Boolean(s.discontinuity)).toBe(s.mediaSequenceNumber > 0 && s.mediaSequenceNumber % 3 === 0);
    });
  });

  it('counts discontinuity tags that slid out of the window', () => {
    // windowSize 2: newest MSN 4 -> MSN 3,4 listed; MSN 3 keeps its tag, nothing slid out.
    const atFirst3 = build(demoSegmentStartMs(5, CLIP), 2);
    expect(atFirst3).toContain('#EXT-X-MEDIA-SEQUENCE:3\n#EXT-X-DISCONTINUITY-SEQUENCE:0\n');
    expect(urisAfterDiscontinuity(atFirst3)).toEqual([`${PREFIX}a.ts`]);
    // One step later MSN 3 (and its tag) slid out.
    const atFirst4 = build(demoSegmentStartMs(6, CLIP), 2);
    expect(atFirst4).toContain('#EXT-X-MEDIA-SEQUENCE:4\n#EXT-X-DISCONTINUITY-SEQUENCE:1\n');
    expect(atFirst4).not.toContain('#EXT-X-DISCONTINUITY\n');
    expect(demoDiscontinuitySequence(0, 3)).toBe(0);
    expect(demoDiscontinuitySequence(3, 3)).toBe(0);
    expect(demoDiscontinuitySequence(4, 3)).toBe(1);
    expect(demoDiscontinuitySequence(7, 3)).toBe(2);
  });

  it('parses with hls-parser and matches the generated numbers', () => {
    const elapsedMs = 123_456;
    const newest = demoNewestMediaSequence(EPOCH_MS + elapsedMs, EPOCH_MS, CLIP);
    const first = newest - 5;
    const playlist = parse(build(elapsedMs, 6));
    expect(playlist.endlist).toBe(false);
    expect(playlist.targetDuration).toBe(2);
    expect(playlist.mediaSequenceBase).toBe(first);
    expect(playlist.discontinuitySequenceBase ?? 0).toBe(demoDiscontinuitySequence(first, 3));
    expect(playlist.segments).toHaveLength(6);
    playlist.segments.forEach((s, i) => {
      expect(s.mediaSequenceNumber).toBe(first + i);
      expect(s.uri).toBe(`${PREFIX}${CLIP[(first + i) % 3]?.uri}`);
      expect(s.duration).toBe(CLIP[(first + i) % 3]?.durationSec);
    });
  });

  it('property: MSN is non-decreasing and consecutive playlists agree on shared MSNs', () => {
    const clipArb = fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 8 }).map((ds) =>
      ds.map((tenths, i): DemoSegment => ({ uri: `s${i}.ts`, durationSec: tenths / 10 })),
    );
    fc.assert(
      fc.property(
        clipArb,
        fc.integer({ min: -5_000, max: 10_000_000 }),
        fc.integer({ min: 0, max: 30_000 }),
        fc.integer({ min: 1, max: 10 }),
        (clip, elapsedMs, deltaMs, windowSize) => {
          const n = clip.length;
          const msn1 = demoNewestMediaSequence(EPOCH_MS + elapsedMs, EPOCH_MS, clip);
          const msn2 = demoNewestMediaSequence(EPOCH_MS + elapsedMs + deltaMs, EPOCH_MS, clip);
          expect(msn2).toBeGreaterThanOrEqual(msn1);
          const p1 = parse(build(elapsedMs, windowSize, clip));
          const p2 = parse(build(elapsedMs + deltaMs, windowSize, clip));
          expect(p2.mediaSequenceBase ?? 0).toBeGreaterThanOrEqual(p1.mediaSequenceBase ?? 0);
          expect(p1.segments.length).toBe(Math.min(windowSize, msn1 + 1));
          expect(p1.segments.at(-1)?.mediaSequenceNumber).toBe(msn1);
          const byMsn = new Map(p1.segments.map((s) => [s.mediaSequenceNumber, s]));
          for (const s of p2.segments) {
            expect(s.uri).toBe(`${PREFIX}${clip[s.mediaSequenceNumber % n]?.uri}`);
            expect(s.discontinuitySequence).toBe(Math.floor(s.mediaSequenceNumber / n));
            const earlier = byMsn.get(s.mediaSequenceNumber);
            if (earlier) {
              expect(s.uri).toBe(earlier.uri);
              expect(s.discontinuitySequence).toBe(earlier.discontinuitySequence);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('committed demo clip and middleware', () => {
  const url = new URL('./segments/segments.json', import.meta.url);
  const { segments } = JSON.parse(readFileSync(url, 'utf8')) as { segments: DemoSegment[] };

  it('segments.json lists existing, positive-duration segment files', () => {
    expect(segments.length).toBeGreaterThan(0);
    for (const s of segments) {
      expect(s.uri).toMatch(/^[\w-]+\.ts$/);
      expect(s.durationSec).toBeGreaterThan(0);
      expect(statSync(new URL(`./segments/${demoSegmentDiskName(s.uri)}`, import.meta.url)).size).toBeGreaterThan(0);
    }
  });

  it('serves the playlist and listed segments only', async () => {
    const middleware = createDemoStreamMiddleware(Date.now() - 60_000);
    const server = createServer((req, res) => middleware(req, res, () => ((res.statusCode = 418), res.end())));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const playlist = await fetch(`${base}/demo/live.m3u8?x=1`);
      expect(playlist.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
      expect(playlist.headers.get('cache-control')).toBe('no-cache');
      expect(playlist.headers.get('access-control-allow-origin')).toBe('*');
      const parsed = parse(await playlist.text());
      expect(parsed.segments).toHaveLength(6);
      const first = segments[0]?.uri ?? '';
      const segment = await fetch(`${base}/demo/segments/${first}`);
      expect(segment.status).toBe(200);
      expect(segment.headers.get('content-type')).toBe('video/mp2t');
      expect(new Uint8Array(await segment.arrayBuffer())[0]).toBe(0x47); // MPEG-TS sync byte
      for (const bad of ['nope.ts', '..%2Fvite-plugin.ts', '..%5Cvite-plugin.ts', demoSegmentDiskName(first)]) {
        expect((await fetch(`${base}/demo/segments/${bad}`)).status).toBe(404);
      }
      expect((await fetch(`${base}/other`)).status).toBe(418);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
