import fc from 'fast-check';
import { parse, types } from 'hls-parser';
import { describe, expect, test } from 'vitest';
import { buildRecordingMasterPlaylist, buildRecordingPlaylist, parseRecordingUrl, recordingInitSectionUrl, recordingMasterUrl, recordingPlaylistUrl, recordingSegmentUrl } from './recording-playlist.ts';

type Timing = { msn: number; durationSec: number; discontinuity: boolean };

function parseMedia(text: string): types.MediaPlaylist {
  const playlist = parse(text);
  if (playlist.isMasterPlaylist) throw new Error('expected a media playlist');
  return playlist as types.MediaPlaylist;
}

describe('buildRecordingPlaylist', () => {
  const id = 'b0c4f1d2-0000-4000-8000-000000000001';
  const segments: Timing[] = [
    { msn: 5, durationSec: 2, discontinuity: false },
    { msn: 6, durationSec: 2.002, discontinuity: false },
    { msn: 7, durationSec: 1.5, discontinuity: true },
    { msn: 8, durationSec: 2, discontinuity: false },
    { msn: 11, durationSec: 3.2, discontinuity: false },
  ];

  test('is a VOD playlist with ENDLIST, the stored durations and a URI per segment', () => {
    const playlist = parseMedia(buildRecordingPlaylist(id, segments));

    expect(playlist.playlistType).toBe('VOD');
    expect(playlist.endlist).toBe(true);
    expect(playlist.targetDuration).toBe(4);
    expect(playlist.segments.map((s) => s.duration)).toEqual([2, 2.002, 1.5, 2, 3.2]);
    expect(playlist.segments.map((s) => parseRecordingUrl(s.uri))).toEqual(segments.map((s) => ({ recordingId: id, msn: s.msn, initSectionId: null })));
  });

  test('fMP4: an EXT-X-MAP before the first segment and wherever the init section changes, in a version 6 playlist (RFC 8216 4.3.2.5)', () => {
    const fmp4 = [
      { msn: 0, durationSec: 2, discontinuity: false, initSectionId: 0 },
      { msn: 1, durationSec: 2, discontinuity: false, initSectionId: 0 },
      { msn: 2, durationSec: 2, discontinuity: true, initSectionId: 1 },
      { msn: 3, durationSec: 2, discontinuity: true, initSectionId: 0 },
    ];
    const text = buildRecordingPlaylist(id, fmp4);
    expect(text).toContain('#EXT-X-VERSION:6');
    expect(text.match(/#EXT-X-MAP/g)).toHaveLength(3);
    const playlist = parseMedia(text);
    expect(playlist.segments.map((s) => parseRecordingUrl(s.map!.uri)?.initSectionId)).toEqual([0, 0, 1, 0]);
    expect(buildRecordingPlaylist(id, segments)).not.toContain('EXT-X-MAP');
  });

  test('marks EXT-X-DISCONTINUITY at stored discontinuities and at missing msns only', () => {
    const playlist = parseMedia(buildRecordingPlaylist(id, segments));
    expect(playlist.segments.map((s) => Boolean(s.discontinuity))).toEqual([false, false, true, false, true]);
  });

  test('dropouts are EXT-X-GAP segments of their time, without a discontinuity; outages and unexplained holes stay discontinuities', () => {
    const stored: Timing[] = [
      { msn: 5, durationSec: 2, discontinuity: false },
      { msn: 8, durationSec: 2, discontinuity: false },
      { msn: 9, durationSec: 2, discontinuity: false },
      { msn: 12, durationSec: 2, discontinuity: true },
      { msn: 14, durationSec: 2, discontinuity: false },
    ];
    const gaps = [
      { fromMsn: 6, count: 2, durationSec: 3.9, reason: 'not-found' as const },
      { fromMsn: 10, count: 2, durationSec: 30, reason: 'outage' as const },
    ];
    const text = buildRecordingPlaylist(id, stored, { gaps });
    const playlist = parseMedia(text);

    expect(playlist.segments.map((s) => [Boolean(s.gap), s.duration, Boolean(s.discontinuity)])).toEqual([
      [false, 2, false],
      [true, 1.95, false],
      [true, 1.95, false],
      [false, 2, false],
      [false, 2, false],
      [false, 2, true],
      [false, 2, true],
    ]);
    expect(playlist.segments.filter((s) => !s.gap).map((s) => parseRecordingUrl(s.uri)?.msn)).toEqual([5, 8, 9, 12, 14]);
    // Gap segments are never requested, and name no stored segment.
    expect(playlist.segments.filter((s) => s.gap).map((s) => parseRecordingUrl(s.uri))).toEqual([null, null]);
  });

  test('three days of 1-second segments, with a long dropout, make a playlist (too many entries to spread into one call)', () => {
    const days = Array.from({ length: 259_200 }, (_, msn): Timing => ({ msn: msn < 40_000 ? msn : msn + 5000, durationSec: 1, discontinuity: false }));
    const text = buildRecordingPlaylist(id, days, { gaps: [{ fromMsn: 40_000, count: 5000, durationSec: 5000, reason: 'slid-out' }] });
    expect(text.match(/^#EXT-X-TARGETDURATION:(\d+)$/m)![1]).toBe('1');
    expect(text.match(/^#EXTINF:/gm)).toHaveLength(264_200);
    expect(text.match(/^#EXT-X-GAP$/gm)).toHaveLength(5000);
  });

  test('an empty recording is still a valid, ended VOD playlist', () => {
    const playlist = parseMedia(buildRecordingPlaylist(id, []));
    expect(playlist).toMatchObject({ playlistType: 'VOD', endlist: true, segments: [] });
  });

  test('a recording in progress is an EVENT playlist without ENDLIST, so players reload it', () => {
    const text = buildRecordingPlaylist(id, segments, { ended: false });
    const playlist = parseMedia(text);

    expect(playlist.playlistType).toBe('EVENT');
    expect(playlist.endlist).toBe(false);
    expect(text).not.toContain('#EXT-X-ENDLIST');
    expect(playlist.segments.map((s) => s.duration)).toEqual([2, 2.002, 1.5, 2, 3.2]);
    expect(playlist.segments.map((s) => Boolean(s.discontinuity))).toEqual([false, false, true, false, true]);
  });

  test('an EVENT playlist only grows: the ended version appends segments and ENDLIST to the open one', () => {
    const open = buildRecordingPlaylist(id, segments.slice(0, 3), { ended: false });
    const ended = buildRecordingPlaylist(id, segments, { ended: true, playlistType: 'EVENT' });
    const withoutTargetDuration = (text: string) => text.replace(/^#EXT-X-TARGETDURATION:.*$/m, '');

    expect(withoutTargetDuration(ended).startsWith(withoutTargetDuration(open))).toBe(true);
    expect(parseMedia(ended)).toMatchObject({ playlistType: 'EVENT', endlist: true });
    expect(parseMedia(ended).segments).toHaveLength(segments.length);
  });

  test('an ended recording defaults to VOD with ENDLIST; an open VOD playlist is refused', () => {
    expect(parseMedia(buildRecordingPlaylist(id, segments, { ended: true }))).toMatchObject({ playlistType: 'VOD', endlist: true });
    expect(() => buildRecordingPlaylist(id, segments, { ended: false, playlistType: 'VOD' })).toThrow(RangeError);
  });

  const timelines = fc
    .tuple(fc.nat({ max: 10_000 }), fc.array(fc.record({ step: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 20 })), durationSec: fc.integer({ min: 1, max: 12_000_000 }).map((us) => us / 1e6), discontinuity: fc.boolean() }), { maxLength: 30 }))
    .map(([start, rows]) => {
      let msn = start;
      return rows.map(({ step, durationSec, discontinuity }): Timing => ({ msn: (msn += step), durationSec, discontinuity }));
    });

  test('property: every segment comes back with its msn, duration and timeline break', () => {
    fc.assert(
      fc.property(fc.uuid(), timelines, (recordingId, stored) => {
        const playlist = parseMedia(buildRecordingPlaylist(recordingId, stored));
        expect(playlist.endlist).toBe(true);
        expect(playlist.segments).toHaveLength(stored.length);
        playlist.segments.forEach((segment, i) => {
          const expected = stored[i]!;
          const previous = stored[i - 1];
          expect(parseRecordingUrl(segment.uri)).toEqual({ recordingId, msn: expected.msn, initSectionId: null });
          expect(segment.duration).toBeCloseTo(expected.durationSec, 6);
          expect(segment.duration).toBeLessThanOrEqual(playlist.targetDuration + 0.5);
          expect(Boolean(segment.discontinuity)).toBe(previous !== undefined && (expected.discontinuity || expected.msn !== previous.msn + 1));
        });
      }),
    );
  });
});

describe('buildRecordingMasterPlaylist', () => {
  test('names the media playlist as the one variant, the audio renditions in one group (first the default), the subtitles in another', () => {
    const text = buildRecordingMasterPlaylist({ id: 'main', bytes: 1_000_000, durationSec: 8 }, [
      { id: 'a1', title: 'Show (audio: English)', codecs: ['mp4a.40.2'] },
      { id: 's1', title: 'Show (subtitles: Deutsch)', codecs: ['wvtt'] },
      { id: 'a2', title: 'Show (audio: Commentary)', codecs: ['mp4a.40.2'] },
    ]);
    const master = parse(text) as types.MasterPlaylist;
    expect(master.isMasterPlaylist).toBe(true);
    expect(master.variants.map((v) => [v.uri, v.bandwidth])).toEqual([[recordingPlaylistUrl('main'), 1_000_000]]);
    expect(master.variants[0]!.audio.map((r) => [r.name, r.isDefault, r.uri])).toEqual([
      ['English', true, recordingPlaylistUrl('a1')],
      ['Commentary', false, recordingPlaylistUrl('a2')],
    ]);
    expect(master.variants[0]!.subtitles.map((r) => [r.name, r.isDefault, r.uri])).toEqual([['Deutsch', false, recordingPlaylistUrl('s1')]]);
  });
});

describe('recording URLs', () => {
  test('parseRecordingUrl reads playlist and segment URLs, and nothing else', () => {
    expect(parseRecordingUrl(recordingPlaylistUrl('abc'))).toEqual({ recordingId: 'abc', msn: null, initSectionId: null });
    expect(parseRecordingUrl(recordingSegmentUrl('abc', 42))).toEqual({ recordingId: 'abc', msn: 42, initSectionId: null });
    expect(parseRecordingUrl(recordingInitSectionUrl('abc', 3))).toEqual({ recordingId: 'abc', msn: null, initSectionId: 3 });
    expect(parseRecordingUrl(recordingMasterUrl('abc'))).toEqual({ recordingId: 'abc', msn: null, initSectionId: null, master: true });
    expect(parseRecordingUrl('https://example.com/abc/42.ts')).toBeNull();
    expect(parseRecordingUrl('https://recordings.tapedeck.invalid/abc/x.ts')).toBeNull();
    expect(parseRecordingUrl('https://recordings.tapedeck.invalid/a/b/1.ts')).toBeNull();
  });

  test('property: recording ids with any characters round-trip, through the playlist too', () => {
    const ids = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), fc.string({ unit: fc.constantFrom('/', '?', '#', '%', '.', ' ', '\n', '&', 'é', '😀', 'a'), minLength: 1, maxLength: 20 }));
    fc.assert(
      fc.property(ids, fc.nat({ max: 2 ** 40 }), (recordingId, msn) => {
        expect(parseRecordingUrl(recordingPlaylistUrl(recordingId))).toEqual({ recordingId, msn: null, initSectionId: null });
        expect(parseRecordingUrl(recordingSegmentUrl(recordingId, msn))).toEqual({ recordingId, msn, initSectionId: null });
        const [segment] = parseMedia(buildRecordingPlaylist(recordingId, [{ msn, durationSec: 2, discontinuity: false }])).segments;
        expect(parseRecordingUrl(segment!.uri)).toEqual({ recordingId, msn, initSectionId: null });
      }),
    );
  });
});
