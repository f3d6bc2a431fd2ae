import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePlaylist, type MediaPlaylistSnapshot } from './playlist.ts';
import { SegmentTracker, type TrackerUpdate } from './segment-tracker.ts';
import liveAt8 from './fixtures/ffmpeg-live-window-at-msn-8.m3u8?raw';
import liveAt8Again from './fixtures/ffmpeg-live-window-at-msn-8-reloaded-unchanged.m3u8?raw';
import liveAt10 from './fixtures/ffmpeg-live-window-at-msn-10.m3u8?raw';
import liveAt18 from './fixtures/ffmpeg-live-window-at-msn-18.m3u8?raw';
import vod from './fixtures/ffmpeg-vod-endlist.m3u8?raw';
import mediaPackage from './fixtures/handwritten-mediapackage-style-discontinuity-sequence.m3u8?raw';

const URL = 'https://cdn.example.com/live/index.m3u8';

function load(text: string): MediaPlaylistSnapshot {
  const parsed = parsePlaylist(text, URL);
  if (parsed.type !== 'media') throw new Error('expected a media playlist');
  return parsed.playlist;
}

const msns = (update: TrackerUpdate) => update.newSegments.map((s) => s.msn);

describe('SegmentTracker over successive loads of a real ffmpeg live playlist', () => {
  it('joins a live stream liveEdgeSegmentCount segments from the end of the first load', () => {
    const tracker = new SegmentTracker(3);
    const first = tracker.ingest(load(liveAt8));
    expect(msns(first)).toEqual([11, 12, 13]);
    expect(first).toMatchObject({ gaps: [], changed: true });
    expect(first.newSegments[0]?.uri).toBe('https://cdn.example.com/live/seg00011.ts');
    expect(tracker.expectedMsn).toBe(14);
  });

  it('takes a whole short window when it holds fewer segments than liveEdgeSegmentCount', () => {
    expect(msns(new SegmentTracker(10).ingest(load(liveAt8)))).toEqual([8, 9, 10, 11, 12, 13]);
  });

  it('hands out each segment once although successive loads list it again', () => {
    const tracker = new SegmentTracker(3);
    const handedOut = [liveAt8, liveAt8Again, liveAt10].flatMap((text) => msns(tracker.ingest(load(text))));
    // msn 10..13 are in both windows; 11..13 were handed out by the first load only.
    expect(handedOut).toEqual([11, 12, 13, 14, 15]);
  });

  it('reports an unchanged reload as changed=false with nothing new (RFC 8216 section 6.3.4 then waits half)', () => {
    const tracker = new SegmentTracker(3);
    tracker.ingest(load(liveAt8));
    expect(tracker.ingest(load(liveAt8Again))).toEqual({ newSegments: [], gaps: [], changed: false });
  });

  it('counts segments that slid out of the window unseen as one slid-out gap of target duration each', () => {
    const tracker = new SegmentTracker(3);
    tracker.ingest(load(liveAt8));
    tracker.ingest(load(liveAt10));
    const late = tracker.ingest(load(liveAt18));
    // The msn-10 load listed up to 15; the msn-18 load starts at 18: 16 and 17 were never seen.
    expect(late.gaps).toEqual([{ fromMsn: 16, count: 2, durationSec: 2 * 2, reason: 'slid-out' }]);
    expect(msns(late)).toEqual([18, 19, 20, 21, 22, 23]);
    expect(late.changed).toBe(true);
    expect(tracker.expectedMsn).toBe(24);
  });

  it('uses the target duration of the late load for the missing time', () => {
    const tracker = new SegmentTracker(1);
    tracker.ingest({ ...load(mediaPackage), segments: load(mediaPackage).segments.slice(0, 1) }); // saw 2491 only
    const late = tracker.ingest(load(mediaPackage.replace('MEDIA-SEQUENCE:2491', 'MEDIA-SEQUENCE:2495')));
    expect(late.gaps).toEqual([{ fromMsn: 2492, count: 3, durationSec: 3 * 7, reason: 'slid-out' }]);
  });

  it('reports EXT-X-ENDLIST as a change once, even when it brings no new segment', () => {
    const tracker = new SegmentTracker(3);
    tracker.ingest(load(liveAt10));
    const ended = load(`${liveAt10}#EXT-X-ENDLIST\n`);
    expect(ended.endList).toBe(true);
    expect(tracker.ingest(ended)).toEqual({ newSegments: [], gaps: [], changed: true });
    expect(tracker.ingest(ended)).toEqual({ newSegments: [], gaps: [], changed: false });
  });

  it('takes a VOD playlist whole, once', () => {
    const tracker = new SegmentTracker(1);
    const first = tracker.ingest(load(vod));
    expect(msns(first)).toEqual([0, 1, 2]);
    expect(first.newSegments.map((s) => s.durationSec)).toEqual([2, 2, 1]);
    expect(first.changed).toBe(true);
    expect(tracker.ingest(load(vod))).toEqual({ newSegments: [], gaps: [], changed: false });
  });

  it('waits for a first segment when a live playlist starts empty', () => {
    const tracker = new SegmentTracker(3);
    const empty = load('#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n');
    expect(tracker.ingest(empty)).toEqual({ newSegments: [], gaps: [], changed: false });
    expect(tracker.expectedMsn).toBeNull();
    expect(msns(tracker.ingest(load(liveAt8)))).toEqual([11, 12, 13]);
  });

  it('refuses a live edge that is not a whole number of segments >= 1', () => {
    expect(() => new SegmentTracker(0)).toThrow(RangeError);
    expect(() => new SegmentTracker(1.5)).toThrow(RangeError);
  });
});

/**
 * A live window listing msn `first`..`last` (empty when last < first), segment URIs
 * `https://x.example/<run>/<msn>.ts`, program date times `programDateTimeMs(msn)` (default null).
 */
function windowOf(first: number, last: number, targetDurationSec: number, endList = false, run = 'a', programDateTimeMs: (msn: number) => number | null = () => null): MediaPlaylistSnapshot {
  const segments = [];
  for (let msn = first; msn <= last; msn++) {
    segments.push({ msn, uri: `https://x.example/${run}/${msn}.ts`, durationSec: targetDurationSec, discontinuity: false, discontinuitySequence: 0, programDateTimeMs: programDateTimeMs(msn), key: null, byteRange: null, map: null });
  }
  return { url: URL, targetDurationSec, mediaSequence: first, discontinuitySequence: 0, endList, segments };
}

describe('property: sliding windows over an increasing media sequence', () => {
  const step = fc.record({ slide: fc.integer({ min: 0, max: 12 }), length: fc.integer({ min: 1, max: 8 }) });

  it('hands out every msn from the join point on exactly once or counts it in exactly one gap, never both', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.array(step, { minLength: 1, maxLength: 15 }),
        fc.boolean(),
        (edgeCount, targetDurationSec, firstMsn, steps, ends) => {
          const tracker = new SegmentTracker(edgeCount);
          const seen = new Map<number, 'segment' | 'gap'>();
          const mark = (msn: number, how: 'segment' | 'gap') => {
            expect(seen.has(msn), `msn ${msn} handed out or gapped twice`).toBe(false);
            seen.set(msn, how);
          };
          let first = firstMsn;
          let last = firstMsn - 1;
          let joinMsn: number | undefined;
          let endSeen = false;
          steps.forEach(({ slide, length }, i) => {
            first += slide;
            last = Math.max(last, first + length - 1);
            const endList = ends && i === steps.length - 1;
            const update = tracker.ingest(windowOf(first, last, targetDurationSec, endList));
            joinMsn ??= update.newSegments[0]?.msn;
            const newMsns = msns(update);
            expect(newMsns).toEqual([...newMsns].sort((a, b) => a - b));
            newMsns.forEach((msn) => mark(msn, 'segment'));
            for (const gap of update.gaps) {
              expect(gap).toMatchObject({ reason: 'slid-out', durationSec: gap.count * targetDurationSec });
              expect(gap.count).toBeGreaterThan(0);
              for (let k = 0; k < gap.count; k++) mark(gap.fromMsn + k, 'gap');
            }
            expect(update.changed).toBe(newMsns.length > 0 || (endList && !endSeen));
            endSeen ||= endList;
          });
          // The first load joins at the live edge; from there on nothing is lost without a trace.
          const [firstLoad] = steps;
          const firstLoadStart = firstMsn + firstLoad!.slide;
          const firstLoadEnd = firstLoadStart + firstLoad!.length - 1;
          const firstLoadEnded = ends && steps.length === 1; // then it is taken whole, like a VOD
          expect(joinMsn).toBe(firstLoadEnded ? firstLoadStart : Math.max(firstLoadStart, firstLoadEnd - edgeCount + 1));
          const expected = Array.from({ length: last - joinMsn! + 1 }, (_, k) => joinMsn! + k);
          expect([...seen.keys()].sort((a, b) => a - b)).toEqual(expected);
        },
      ),
    );
  });
});

describe('SegmentTracker when the media sequence number goes back', () => {
  it('takes a restarted numbering (other segments under lower msns) whole, says where it restarted, and goes on in the new numbering', () => {
    const tracker = new SegmentTracker(3);
    tracker.ingest(windowOf(100, 105, 2));
    const restarted = tracker.ingest(windowOf(0, 2, 2, false, 'after-restart'));
    expect(msns(restarted)).toEqual([0, 1, 2]);
    expect(restarted).toMatchObject({ restartedFromMsn: 105, gaps: [], changed: true });
    const next = tracker.ingest(windowOf(1, 4, 2, false, 'after-restart'));
    expect(msns(next)).toEqual([3, 4]);
    expect(next.restartedFromMsn).toBeUndefined();
    expect(tracker.expectedMsn).toBe(5);
  });

  it('takes an older copy of the playlist (a lagging CDN edge) as bringing nothing, even one listing only segments before the join point', () => {
    const tracker = new SegmentTracker(3);
    expect(msns(tracker.ingest(windowOf(100, 105, 2)))).toEqual([103, 104, 105]);
    tracker.ingest(windowOf(102, 108, 2));
    expect(tracker.ingest(windowOf(100, 105, 2))).toEqual({ newSegments: [], gaps: [], changed: false });
    expect(tracker.ingest(windowOf(99, 101, 2))).toEqual({ newSegments: [], gaps: [], changed: false });
    expect(msns(tracker.ingest(windowOf(104, 110, 2)))).toEqual([109, 110]);
  });

  it('takes a copy lagging by a few segments, on a CDN that signs each load\'s URIs anew, as bringing nothing', () => {
    const tracker = new SegmentTracker(3);
    const signed = (window: MediaPlaylistSnapshot, token: number) => ({ ...window, segments: window.segments.map((segment) => ({ ...segment, uri: `${segment.uri}?token=${token}` })) });
    tracker.ingest(signed(windowOf(100, 105, 2), 1));
    expect(tracker.ingest(signed(windowOf(98, 103, 2), 2))).toEqual({ newSegments: [], gaps: [], changed: false });
    expect(msns(tracker.ingest(signed(windowOf(101, 106, 2), 3)))).toEqual([106]);
  });

  it('takes the same URIs under lower msns as a restart when their program date times differ (an encoder restarted into the same file names)', () => {
    const tracker = new SegmentTracker(3);
    tracker.ingest(windowOf(0, 5, 2, false, 'a', (msn) => 1_000_000 + msn * 2000));
    tracker.ingest(windowOf(3, 8, 2, false, 'a', (msn) => 1_000_000 + msn * 2000));
    const restarted = tracker.ingest(windowOf(0, 1, 2, false, 'a', (msn) => 2_000_000 + msn * 2000));
    expect(msns(restarted)).toEqual([0, 1]);
    expect(restarted.restartedFromMsn).toBe(8);
  });

  it('takes a load whose msns seen before were all stamped later as a restart, though the new numbering is already past the last window\'s start', () => {
    const tracker = new SegmentTracker(3);
    const oldTimes = (msn: number) => 1_000_000 + msn * 2000;
    tracker.ingest(windowOf(0, 5, 2, false, 'a', oldTimes));
    // The encoder restarted at msn 0 a minute later, while the playlist could not be loaded.
    const restarted = tracker.ingest(windowOf(4, 8, 2, false, 'a', (msn) => 1_060_000 + msn * 2000));
    expect(msns(restarted)).toEqual([4, 5, 6, 7, 8]);
    expect(restarted).toMatchObject({ restartedFromMsn: 5, gaps: [] });
    // An edge still serving the window from before the restart brings nothing.
    expect(tracker.ingest(windowOf(1, 5, 2, false, 'a', oldTimes))).toEqual({ newSegments: [], gaps: [], changed: false });
    expect(msns(tracker.ingest(windowOf(6, 9, 2, false, 'a', (msn) => 1_060_000 + msn * 2000)))).toEqual([9]);
  });

  it('takes a load overlapping the last window as the stream going on when its times moved by less than two target durations, or its paths changed and its times did not', () => {
    const times = (shiftMs: number) => (msn: number) => 1_000_000 + msn * 2000 + shiftMs;
    const jittery = new SegmentTracker(3);
    jittery.ingest(windowOf(0, 5, 2, false, 'a', times(0)));
    expect(jittery.ingest(windowOf(2, 7, 2, false, 'a', times(3900)))).toMatchObject({ newSegments: [expect.objectContaining({ msn: 6 }), expect.objectContaining({ msn: 7 })], gaps: [] });
    const tokenInPath = new SegmentTracker(3);
    tokenInPath.ingest(windowOf(0, 5, 2, false, 'token-1', times(0)));
    const next = tokenInPath.ingest(windowOf(2, 7, 2, false, 'token-2', times(0)));
    expect(msns(next)).toEqual([6, 7]);
    expect(next.restartedFromMsn).toBeUndefined();
    // Without program date times, paths alone do not make a restart.
    const noTimes = new SegmentTracker(3);
    noTimes.ingest(windowOf(0, 5, 2, false, 'token-1'));
    expect(noTimes.ingest(windowOf(2, 7, 2, false, 'token-2')).restartedFromMsn).toBeUndefined();
  });

  it('after a restart, ignores an older copy listing the old numbering again, and leaves no gap for it', () => {
    const tracker = new SegmentTracker(3);
    tracker.ingest(windowOf(100, 105, 2));
    tracker.ingest(windowOf(0, 2, 2, false, 'after-restart'));
    expect(tracker.ingest(windowOf(100, 106, 2))).toEqual({ newSegments: [], gaps: [], changed: false });
    expect(msns(tracker.ingest(windowOf(0, 3, 2, false, 'after-restart')))).toEqual([3]);
  });
});
