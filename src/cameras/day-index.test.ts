import { describe, expect, test } from 'vitest';
import { buildDayTimeline, recordingDayKeys, segmentWallClock, type TimedSegment } from './day-index.ts';
import { addDays, dayBoundsMs, dayKeyOf } from './local-day.ts';

const ZONE = 'Europe/Berlin';
const HOUR_MS = 3_600_000;

/** `count` 2-s segments from `fromMsn`, dated from `startMs` when `dated`, stored `lateMs` after their end. */
function segments(fromMsn: number, count: number, startMs: number, options: { dated: boolean; lateMs?: number; discontinuityFirst?: boolean }): TimedSegment[] {
  return Array.from({ length: count }, (_, index) => ({
    msn: fromMsn + index,
    durationSec: 2,
    discontinuity: index === 0 && (options.discontinuityFirst ?? false),
    programDateTimeMs: options.dated ? startMs + index * 2000 : null,
    storedAtMs: startMs + (index + 1) * 2000 + (options.lateMs ?? 150),
  }));
}

describe('segmentWallClock', () => {
  test('takes EXT-X-PROGRAM-DATE-TIME where given, and carries it over to undated segments that follow', () => {
    const start = Date.UTC(2026, 10, 21, 10, 0, 0);
    const list = segments(5, 3, start, { dated: true });
    list[1] = { ...list[1]!, programDateTimeMs: null };
    const placed = segmentWallClock(list);
    expect(placed.map((s) => [s.msn, s.startMs - start, s.endMs - start, s.source])).toEqual([
      [5, 0, 2000, 'program-date-time'],
      [6, 2000, 4000, 'program-date-time'],
      [7, 4000, 6000, 'program-date-time'],
    ]);
  });

  test('places an undated run longer than a spread call can take: 150,000 segments, 3.5 days at 2 s', () => {
    const start = Date.UTC(2026, 10, 21, 10, 0, 0);
    const placed = segmentWallClock(segments(0, 150_000, start, { dated: false }));
    expect(placed.at(-1)!.endMs - start).toBe(300_000_000 + 150);
  });

  test('without dates, places a run by its earliest possible arrival, also when the first segments came in a burst', () => {
    const start = Date.UTC(2026, 10, 21, 10, 0, 0);
    const list = segments(0, 5, start, { dated: false, lateMs: 300 });
    // The recorder joined late: segments 0-2 were fetched together at 10:00:06.9.
    for (const index of [0, 1]) list[index] = { ...list[index]!, storedAtMs: list[2]!.storedAtMs };
    const placed = segmentWallClock(list);
    expect(placed.map((s) => s.startMs - start)).toEqual([300, 2300, 4300, 6300, 8300]);
    expect(placed.every((s) => s.source === 'arrival')).toBe(true);
  });

  test('a discontinuity or missing segments start a new run with its own anchor', () => {
    const start = Date.UTC(2026, 10, 21, 10, 0, 0);
    const list = [...segments(0, 2, start, { dated: false }), ...segments(5, 2, start + 30_000, { dated: false })];
    const placed = segmentWallClock(list);
    expect(placed.map((s) => s.startMs - start)).toEqual([150, 2150, 30_150, 32_150]);
  });
});

describe('day bounds', () => {
  test('a plain day has 24 hours; the day DST begins 23, the day it ends 25 (Europe/Berlin)', () => {
    const plain = dayBoundsMs('2026-11-21', ZONE);
    expect(plain.startMs).toBe(Date.UTC(2026, 10, 20, 23, 0, 0));
    expect(plain.endMs - plain.startMs).toBe(24 * HOUR_MS);
    const spring = dayBoundsMs('2026-03-29', ZONE);
    expect(spring.endMs - spring.startMs).toBe(23 * HOUR_MS);
    const autumn = dayBoundsMs('2026-10-25', ZONE);
    expect(autumn.startMs).toBe(Date.UTC(2026, 9, 24, 22, 0, 0));
    expect(autumn.endMs - autumn.startMs).toBe(25 * HOUR_MS);
  });

  test('day keys of instants, and day arithmetic across months and years', () => {
    expect(dayKeyOf(Date.UTC(2026, 10, 20, 23, 30), ZONE)).toBe('2026-11-21');
    expect(dayKeyOf(Date.UTC(2026, 10, 20, 23, 30), 'UTC')).toBe('2026-11-20');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(() => dayBoundsMs('21.11.2026')).toThrow(RangeError);
  });

  test('a recording across midnight counts for both days', () => {
    const startedAtMs = Date.UTC(2026, 10, 21, 22, 30);
    expect(recordingDayKeys({ startedAtMs, endedAtMs: startedAtMs + HOUR_MS, durationSec: 3600, dayKey: '2026-11-21' }, ZONE)).toEqual(['2026-11-21', '2026-11-22']);
    expect(recordingDayKeys({ startedAtMs, endedAtMs: null, durationSec: 60, dayKey: undefined }, ZONE)).toEqual(['2026-11-21']);
  });
});

describe('buildDayTimeline', () => {
  const dayStart = dayBoundsMs('2026-11-21', ZONE).startMs;

  test('spans from dated segments, with a recorded gap (slid out) and an outage (the clock jumped) between them', () => {
    const from = dayStart + 10 * HOUR_MS;
    const list = [
      ...segments(0, 5, from, { dated: true }),
      // msn 5-7 slid out of the live window while the server was down.
      ...segments(8, 5, from + 16_000, { dated: true }),
      // msn 13 continues, but the camera's clock jumped by a minute.
      ...segments(13, 3, from + 86_000, { dated: true, discontinuityFirst: true }),
    ];
    const timeline = buildDayTimeline('2026-11-21', [{ recording: { id: 'r1', gaps: [{ fromMsn: 5, count: 3, durationSec: 6, reason: 'slid-out', detectedAtMs: from + 20_000 }] }, segments: list }], { timeZone: ZONE });
    expect(timeline.spans.map((s) => [s.startMs - from, s.endMs - from, s.fromMsn, s.toMsn])).toEqual([
      [0, 10_000, 0, 4],
      [16_000, 26_000, 8, 12],
      [86_000, 92_000, 13, 15],
    ]);
    expect(timeline.gaps.map((g) => [g.startMs - from, g.endMs - from, g.kind, g.reason])).toEqual([
      [10_000, 16_000, 'missed-segments', 'slid-out'],
      [26_000, 86_000, 'stream-outage', null],
    ]);
    expect(timeline.endMs - timeline.startMs).toBe(24 * HOUR_MS);
  });

  test('spans from arrival times where the stream has no dates; a break between recordings is "not recording"', () => {
    const from = dayStart + 8 * HOUR_MS;
    const timeline = buildDayTimeline(
      '2026-11-21',
      [
        { recording: { id: 'a', gaps: [] }, segments: segments(0, 30, from, { dated: false }) },
        { recording: { id: 'b', gaps: [] }, segments: segments(0, 30, from + HOUR_MS, { dated: false }) },
      ],
      { timeZone: ZONE },
    );
    expect(timeline.spans.map((s) => [s.recordingId, s.startMs - from, s.endMs - from, s.source])).toEqual([
      ['a', 150, 60_150, 'arrival'],
      ['b', HOUR_MS + 150, HOUR_MS + 60_150, 'arrival'],
    ]);
    expect(timeline.gaps).toEqual([{ startMs: from + 60_150, endMs: from + HOUR_MS + 150, kind: 'not-recording', reason: null }]);
  });

  test('a recording across midnight is cut at midnight, each day showing its own part', () => {
    const midnight = dayBoundsMs('2026-11-22', ZONE).startMs;
    const recording = { recording: { id: 'night', gaps: [] }, segments: segments(0, 60, midnight - 60_000, { dated: true }) };
    const before = buildDayTimeline('2026-11-21', [recording], { timeZone: ZONE });
    const after = buildDayTimeline('2026-11-22', [recording], { timeZone: ZONE });
    expect(before.spans.map((s) => [s.startMs - midnight, s.endMs - midnight])).toEqual([[-60_000, 0]]);
    expect(after.spans.map((s) => [s.startMs - midnight, s.endMs - midnight])).toEqual([[0, 60_000]]);
  });

  test('on the day DST ends, the timeline is 25 hours long and a span in the repeated hour stays in place', () => {
    const day = dayBoundsMs('2026-10-25', ZONE);
    // 02:30 local, first pass (CEST, UTC+2) = 00:30 UTC; second pass (CET) = 01:30 UTC.
    const firstPass = Date.UTC(2026, 9, 25, 0, 30);
    const secondPass = Date.UTC(2026, 9, 25, 1, 30);
    const timeline = buildDayTimeline(
      '2026-10-25',
      [
        { recording: { id: 'p1', gaps: [] }, segments: segments(0, 3, firstPass, { dated: true }) },
        { recording: { id: 'p2', gaps: [] }, segments: segments(0, 3, secondPass, { dated: true }) },
      ],
      { timeZone: ZONE },
    );
    expect(timeline.endMs - timeline.startMs).toBe(25 * HOUR_MS);
    expect(timeline.spans.map((s) => (s.startMs - day.startMs) / HOUR_MS)).toEqual([2.5, 3.5]);
    expect(timeline.gaps.map((g) => g.kind)).toEqual(['not-recording']);
  });
});
