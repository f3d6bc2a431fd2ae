import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PlaylistError } from './errors.ts';
import { parsePlaylist, selectHighestBandwidth, type MediaPlaylistSnapshot, type VariantStream } from './playlist.ts';
import liveAt8 from './fixtures/ffmpeg-live-window-at-msn-8.m3u8?raw';
import vod from './fixtures/ffmpeg-vod-endlist.m3u8?raw';
import master from './fixtures/ffmpeg-master-three-variants.m3u8?raw';
import programDateTime from './fixtures/ffmpeg-live-program-date-time.m3u8?raw';
import restarted from './fixtures/ffmpeg-live-discontinuity-after-restart.m3u8?raw';
import mediaPackage from './fixtures/handwritten-mediapackage-style-discontinuity-sequence.m3u8?raw';
import aes128 from './fixtures/ffmpeg-vod-aes-128.m3u8?raw';
import fmp4 from './fixtures/ffmpeg-vod-fmp4-ext-x-map.m3u8?raw';
import singleFile from './fixtures/ffmpeg-vod-single-file-byterange.m3u8?raw';

const URL_LIVE = 'https://cdn.example.com/live/channel-1/index.m3u8';

/** Parses text that must be a media playlist. */
function media(text: string, url = URL_LIVE): MediaPlaylistSnapshot {
  const parsed = parsePlaylist(text, url);
  if (parsed.type !== 'media') throw new Error(`expected a media playlist, got ${parsed.type}`);
  return parsed.playlist;
}

/** The PlaylistError that parsing `text` throws. */
function playlistError(text: string, url = URL_LIVE): PlaylistError {
  try {
    parsePlaylist(text, url);
  } catch (error) {
    expect(error).toBeInstanceOf(PlaylistError);
    return error as PlaylistError;
  }
  throw new Error('parsePlaylist accepted the text');
}

describe('parsePlaylist on media playlists written by real servers', () => {
  it('ffmpeg live window: numbers segments from EXT-X-MEDIA-SEQUENCE and resolves URIs against the playlist URL', () => {
    const playlist = media(liveAt8);
    expect(playlist).toMatchObject({ url: URL_LIVE, targetDurationSec: 2, mediaSequence: 8, discontinuitySequence: 0, endList: false });
    expect(playlist.segments).toEqual(
      [8, 9, 10, 11, 12, 13].map((msn) => ({
        msn,
        uri: `https://cdn.example.com/live/channel-1/seg000${String(msn).padStart(2, '0')}.ts`,
        durationSec: 2,
        discontinuity: false,
        discontinuitySequence: 0,
        programDateTimeMs: null,
        key: null,
        byteRange: null,
        map: null,
      })),
    );
  });

  it('resolves relative URIs against the final URL after a redirect, not the one first asked for', () => {
    const redirectedTo = 'https://edge-7.cdn.example.net/origin/abc/index.m3u8?token=xyz';
    const playlist = media(liveAt8, redirectedTo);
    expect(playlist.url).toBe(redirectedTo);
    expect(playlist.segments[0]?.uri).toBe('https://edge-7.cdn.example.net/origin/abc/seg00008.ts');
  });

  it('radio titles in UTF-8 (EXTINF:10,Café – Ünïcode 音楽) parse, and the URIs stay as written', () => {
    const text = '#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:3\n#EXTINF:10,Café – Ünïcode 音楽\nseg3.aac\n#EXTINF:9.5,\nseg4.aac\n';
    const playlist = media(text);
    expect(playlist.segments.map((s) => [s.msn, s.durationSec, s.uri])).toEqual([
      [3, 10, 'https://cdn.example.com/live/channel-1/seg3.aac'],
      [4, 9.5, 'https://cdn.example.com/live/channel-1/seg4.aac'],
    ]);
  });

  it('keeps absolute URIs and resolves root-relative and parent-relative ones', () => {
    const text = [
      '#EXTM3U',
      '#EXT-X-TARGETDURATION:2',
      '#EXTINF:2,',
      'https://other.example.org/a/seg1.ts',
      '#EXTINF:2,',
      '/root/seg2.ts',
      '#EXTINF:2,',
      '../up/seg3.ts?x=1',
    ].join('\r\n');
    expect(media(text).segments.map((s) => s.uri)).toEqual([
      'https://other.example.org/a/seg1.ts',
      'https://cdn.example.com/root/seg2.ts',
      'https://cdn.example.com/live/up/seg3.ts?x=1',
    ]);
    expect(media(text).segments.map((s) => s.msn)).toEqual([0, 1, 2]);
  });

  it('ffmpeg VOD: EXT-X-ENDLIST, numbering from 0 and each EXTINF duration', () => {
    const playlist = media(vod, 'http://127.0.0.1:8080/vod/vod.m3u8');
    expect(playlist.endList).toBe(true);
    expect(playlist.segments.map((s) => [s.msn, s.durationSec, s.uri])).toEqual([
      [0, 2, 'http://127.0.0.1:8080/vod/seg000.ts'],
      [1, 2, 'http://127.0.0.1:8080/vod/seg001.ts'],
      [2, 1, 'http://127.0.0.1:8080/vod/seg002.ts'],
    ]);
  });

  it('ffmpeg program_date_time: EXT-X-PROGRAM-DATE-TIME (written after EXTINF, offset +0000) in ms since the epoch', () => {
    const playlist = media(programDateTime);
    const first = Date.UTC(2026, 10, 21, 19, 49, 46, 151);
    expect(playlist.segments.map((s) => [s.msn, s.programDateTimeMs])).toEqual([
      [2, first],
      [3, first + 2000],
      [4, first + 4000],
    ]);
  });

  it('ffmpeg restarted with append_list: the discontinuity flag sits on the first segment after the restart', () => {
    const playlist = media(restarted);
    expect(playlist.segments.map((s) => [s.msn, s.durationSec, s.discontinuity])).toEqual([
      [1, 2, false],
      [2, 0.96, false],
      [3, 2, true],
      [4, 2, false],
    ]);
  });

  it('MediaPackage-style window: discontinuity sequence, per-segment dates and URI tokens', () => {
    const playlist = media(mediaPackage, 'https://abc.egress.mediapackage.us-west-2.amazonaws.com/out/v1/42/index_1.m3u8');
    expect(playlist).toMatchObject({ targetDurationSec: 7, mediaSequence: 2491, discontinuitySequence: 4, endList: false });
    expect(playlist.segments.map((s) => [s.msn, s.durationSec, s.discontinuity, s.discontinuitySequence, s.programDateTimeMs])).toEqual([
      [2491, 6.006, false, 4, Date.parse('2024-03-07T10:15:02.000Z')],
      [2492, 6.006, false, 4, null],
      [2493, 4.004, true, 5, Date.parse('2024-03-07T10:15:20.400Z')],
      [2494, 6.006, false, 5, null],
    ]);
    expect(playlist.segments[0]?.uri).toBe('https://abc.egress.mediapackage.us-west-2.amazonaws.com/out/v1/42/index_1_2491.ts?m=1709805290');
  });
});

describe('parsePlaylist on master playlists, and selectHighestBandwidth', () => {
  const url = 'https://cdn.example.com/show/master.m3u8';

  it('lists every variant of an ffmpeg master playlist with absolute URI, bandwidth, codecs and resolution', () => {
    const parsed = parsePlaylist(master, url);
    expect(parsed.type).toBe('master');
    if (parsed.type !== 'master') return;
    expect(parsed.url).toBe(url);
    expect(parsed.variants).toEqual([
      { uri: 'https://cdn.example.com/show/low.m3u8', bandwidthBps: 235400, codecs: ['avc1.64000c', 'mp4a.40.2'], resolution: { width: 96, height: 54 } },
      { uri: 'https://cdn.example.com/show/high.m3u8', bandwidthBps: 730400, codecs: ['avc1.640014', 'mp4a.40.2'], resolution: { width: 160, height: 90 } },
      { uri: 'https://cdn.example.com/show/mid.m3u8', bandwidthBps: 400400, codecs: ['avc1.64000d', 'mp4a.40.2'], resolution: { width: 128, height: 72 } },
    ]);
  });

  it('picks the highest BANDWIDTH even when it is not listed first', () => {
    const parsed = parsePlaylist(master, url);
    if (parsed.type !== 'master') throw new Error('not a master playlist');
    expect(selectHighestBandwidth(parsed.variants).uri).toBe('https://cdn.example.com/show/high.m3u8');
  });

  it('throws RangeError for no variants at all', () => {
    expect(() => selectHighestBandwidth([])).toThrow(RangeError);
  });

  it('property: the chosen variant has the highest bandwidth, and is the first listed of those that tie', () => {
    const variants = fc.array(fc.integer({ min: 1, max: 5 }).map((n) => n * 100_000), { minLength: 1, maxLength: 8 }).map((bandwidths) =>
      bandwidths.map<VariantStream>((bandwidthBps, i) => ({ uri: `https://x.example/${i}.m3u8`, bandwidthBps, codecs: [], resolution: null })),
    );
    fc.assert(
      fc.property(variants, (list) => {
        const max = Math.max(...list.map((v) => v.bandwidthBps));
        expect(selectHighestBandwidth(list)).toBe(list.find((v) => v.bandwidthBps === max));
      }),
    );
  });
});

describe('parsePlaylist on AES-128 encrypted playlists (RFC 8216 section 4.3.2.4)', () => {
  it('ffmpeg VOD with an explicit IV: every segment carries the resolved key URI and the 16-byte IV', () => {
    const playlist = media(aes128, 'https://cdn.example.com/vod/index.m3u8');
    expect(playlist.segments.map((s) => s.key?.uri)).toEqual(['https://cdn.example.com/vod/key.bin', 'https://cdn.example.com/vod/key.bin']);
    expect([...playlist.segments[0]!.key!.iv!]).toEqual(new Array(16).fill(0));
  });

  it('key rotation, an implicit IV, and METHOD=NONE returning to clear segments', () => {
    const text = [
      '#EXTM3U',
      '#EXT-X-TARGETDURATION:2',
      '#EXT-X-MEDIA-SEQUENCE:7',
      '#EXTINF:2,',
      'clear0.ts',
      '#EXT-X-KEY:METHOD=AES-128,URI="k1.bin"',
      '#EXTINF:2,',
      'a.ts',
      '#EXTINF:2,',
      'b.ts',
      '#EXT-X-KEY:METHOD=AES-128,URI="/keys/k2.bin",IV=0x0102',
      '#EXTINF:2,',
      'c.ts',
      '#EXT-X-KEY:METHOD=NONE',
      '#EXTINF:2,',
      'd.ts',
      '',
    ].join('\n');
    const segments = media(text, 'https://h.example/live/p.m3u8').segments;
    expect(segments.map((s) => [s.msn, s.key?.uri ?? null, s.key?.iv ? [...s.key.iv] : null])).toEqual([
      [7, null, null],
      [8, 'https://h.example/live/k1.bin', null],
      [9, 'https://h.example/live/k1.bin', null],
      [10, 'https://h.example/keys/k2.bin', [1, 2]],
      [11, null, null],
    ]);
  });

  it('an IV with an odd number of hex digits is the same 128-bit integer; an IV that is not hex is refused', () => {
    const withIv = (iv: string) =>
      ['#EXTM3U', '#EXT-X-TARGETDURATION:2', `#EXT-X-KEY:METHOD=AES-128,URI="k.bin",IV=${iv}`, '#EXTINF:2,', 'a.ts', ''].join('\n');
    expect([...media(withIv('0x1')).segments[0]!.key!.iv!]).toEqual([1]);
    expect([...media(withIv('0x123')).segments[0]!.key!.iv!]).toEqual([0x01, 0x23]);
    expect([...media(withIv('0x0102')).segments[0]!.key!.iv!]).toEqual([1, 2]);
    for (const bad of ['0xZZ', '12', '0x']) {
      const error = playlistError(withIv(bad));
      expect(error.message).toContain(`IV=${bad}, which is not a hexadecimal integer`);
    }
  });
});

describe('parsePlaylist refuses what it cannot record, with a PlaylistError', () => {
  it('an HTML page (a login or error page served in place of the playlist)', () => {
    const error = playlistError('<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body></body></html>\n');
    expect(error).toMatchObject({ code: 'playlist-invalid', transient: false, url: URL_LIVE });
    expect(error.message).toContain(URL_LIVE);
    expect(error.message).toContain('#EXTM3U');
  });

  it('an empty body', () => {
    expect(playlistError('')).toMatchObject({ code: 'playlist-invalid', transient: false });
    expect(playlistError('\n  \n')).toMatchObject({ code: 'playlist-invalid' });
  });

  it('a media playlist without EXT-X-TARGETDURATION', () => {
    const text = liveAt8.replace(/^#EXT-X-TARGETDURATION:.*\n/m, '');
    expect(text).not.toContain('TARGETDURATION');
    expect(playlistError(text).message).toContain('EXT-X-TARGETDURATION');
  });

  it('a master playlist whose only variants are I-frame playlists (nothing to record)', () => {
    const text = '#EXTM3U\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=86000,URI="iframe.m3u8"\n';
    expect(playlistError(text)).toMatchObject({ code: 'playlist-empty' });
  });

  it.each([
    ['SAMPLE-AES', '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://k",KEYFORMAT="identity"'],
    ['SAMPLE-AES-CTR', '#EXT-X-KEY:METHOD=SAMPLE-AES-CTR,URI="k"'],
    ['KEYFORMAT="com.apple.streamingkeydelivery"', '#EXT-X-KEY:METHOD=AES-128,URI="skd://k",KEYFORMAT="com.apple.streamingkeydelivery"'],
    ['KEYFORMAT="urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"', '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="data:x",KEYFORMAT="urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"'],
  ])('a stream encrypted with %s (not AES-128 identity), naming it and that nothing was recorded', (named, tag) => {
    const text = aes128.replace(/^#EXT-X-KEY:.*$/m, tag);
    const error = playlistError(text);
    expect(error.message).toContain(named);
    expect(error.message).toContain('nothing was recorded');
  });

  it('an EXT-X-BYTERANGE without offset after a segment of another resource (RFC 8216 4.3.2.2), saying so', () => {
    const text = ['#EXTM3U', '#EXT-X-TARGETDURATION:2', '#EXTINF:2,', 'a.ts', '#EXTINF:2,', '#EXT-X-BYTERANGE:100', 'b.ts', ''].join('\n');
    expect(playlistError(text).message).toContain('EXT-X-BYTERANGE without offset');
  });

  it('a zero-length byte range', () => {
    const text = ['#EXTM3U', '#EXT-X-TARGETDURATION:2', '#EXTINF:2,', '#EXT-X-BYTERANGE:0@0', 'a.ts', ''].join('\n');
    expect(playlistError(text).message).toContain('not a usable range');
  });
});

describe('property: media playlists written as text and parsed back', () => {
  const segmentArb = fc.record({ durationMs: fc.integer({ min: 1, max: 12_000 }), discontinuity: fc.boolean() });

  it('media sequence numbers, durations, discontinuity flags and discontinuity sequence numbers round-trip', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER - 100 }),
        fc.array(segmentArb, { maxLength: 10 }),
        fc.boolean(),
        fc.constantFrom('\n', '\r\n'),
        fc.integer({ min: 0, max: 1000 }),
        (mediaSequence, segments, endList, eol, discontinuitySequence) => {
          const targetSec = Math.max(1, ...segments.map((s) => Math.ceil(s.durationMs / 1000)));
          const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${targetSec}`, `#EXT-X-MEDIA-SEQUENCE:${mediaSequence}`, `#EXT-X-DISCONTINUITY-SEQUENCE:${discontinuitySequence}`];
          segments.forEach((s, i) => {
            if (s.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
            lines.push(`#EXTINF:${(s.durationMs / 1000).toFixed(3)},`, `part${i}.ts`);
          });
          if (endList) lines.push('#EXT-X-ENDLIST');
          const playlist = media(lines.join(eol) + eol, 'https://h.example/p/live.m3u8');
          expect(playlist).toMatchObject({ mediaSequence, targetDurationSec: targetSec, endList });
          expect(playlist.segments).toEqual(
            segments.map((s, i) => ({
              msn: mediaSequence + i,
              uri: `https://h.example/p/part${i}.ts`,
              durationSec: s.durationMs / 1000,
              discontinuity: s.discontinuity,
              discontinuitySequence: discontinuitySequence + segments.slice(0, i + 1).filter((earlier) => earlier.discontinuity).length,
              programDateTimeMs: null,
              key: null,
              byteRange: null,
              map: null,
            })),
          );
        },
      ),
    );
  });
});

describe('parsePlaylist on fMP4 and byte-range playlists', () => {
  it('ffmpeg fMP4 VOD: every segment carries the EXT-X-MAP in force, resolved against the playlist URL (RFC 8216 4.3.2.5)', () => {
    const playlist = media(fmp4, 'https://h.example/vod/index.m3u8');
    expect(playlist.segments.length).toBeGreaterThan(1);
    for (const segment of playlist.segments) {
      expect(segment.map).toEqual({ uri: 'https://h.example/vod/init.mp4', byteRange: null });
      expect(segment.byteRange).toBeNull();
    }
  });

  it('a second EXT-X-MAP mid-playlist applies from its segment on; a BYTERANGE attribute without offset starts at 0', () => {
    const text = [
      '#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:2',
      '#EXT-X-MAP:URI="init-a.mp4"', '#EXTINF:2,', 'a0.m4s', '#EXTINF:2,', 'a1.m4s',
      '#EXT-X-DISCONTINUITY', '#EXT-X-MAP:URI="both.mp4",BYTERANGE="700"', '#EXTINF:2,', 'b0.m4s', '',
    ].join('\n');
    const maps = media(text, 'https://h.example/x/i.m3u8').segments.map((s) => s.map);
    expect(maps).toEqual([
      { uri: 'https://h.example/x/init-a.mp4', byteRange: null },
      { uri: 'https://h.example/x/init-a.mp4', byteRange: null },
      { uri: 'https://h.example/x/both.mp4', byteRange: { offsetBytes: 0, lengthBytes: 700 } },
    ]);
  });

  it('ffmpeg single_file: byte ranges with explicit offsets, and an open offset continuing the previous sub-range (RFC 8216 4.3.2.2)', () => {
    expect(media(singleFile).segments.map((s) => [s.uri, s.byteRange])).toEqual([
      ['https://cdn.example.com/live/channel-1/single.ts', { offsetBytes: 0, lengthBytes: 35720 }],
      ['https://cdn.example.com/live/channel-1/single.ts', { offsetBytes: 35720, lengthBytes: 41172 }],
      ...media(singleFile).segments.slice(2).map((s) => [s.uri, s.byteRange]),
    ]);
    const open = singleFile.replace('#EXT-X-BYTERANGE:41172@35720', '#EXT-X-BYTERANGE:41172');
    expect(media(open).segments[1]!.byteRange).toEqual({ offsetBytes: 35720, lengthBytes: 41172 });
  });
});

describe('property: EXT-X-BYTERANGE offsets (RFC 8216 4.3.2.2)', () => {
  it('an absent offset continues the previous sub-range of the same resource; a given one is kept', () => {
    const entry = fc.record({ lengthBytes: fc.integer({ min: 1, max: 1_000_000 }), explicit: fc.boolean(), gapBytes: fc.integer({ min: 0, max: 1000 }) });
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 12 }), (entries) => {
        const lines = ['#EXTM3U', '#EXT-X-VERSION:4', '#EXT-X-TARGETDURATION:2'];
        const expected: { offsetBytes: number; lengthBytes: number }[] = [];
        let end = 0;
        entries.forEach((e, i) => {
          // The first segment needs an offset: there is no previous sub-range to continue.
          const offsetBytes = e.explicit || i === 0 ? end + e.gapBytes : end;
          lines.push('#EXTINF:2,', e.explicit || i === 0 ? `#EXT-X-BYTERANGE:${e.lengthBytes}@${offsetBytes}` : `#EXT-X-BYTERANGE:${e.lengthBytes}`, 'all.ts');
          expected.push({ offsetBytes, lengthBytes: e.lengthBytes });
          end = offsetBytes + e.lengthBytes;
        });
        expect(media(lines.join('\n') + '\n').segments.map((s) => s.byteRange)).toEqual(expected);
      }),
    );
  });
});
