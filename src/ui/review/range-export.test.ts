import { describe, expect, test } from 'vitest';
import { buildDayTimeline, type TimedSegment } from '../../cameras/day-index.ts';
import { dayBoundsMs } from '../../cameras/local-day.ts';
import { planRangeExport } from './range-export.ts';

const DAY = '2026-11-21';
const { startMs: DAY_START_MS } = dayBoundsMs(DAY);
const MIN_MS = 60_000;

function dated(fromMsn: number, count: number, startMs: number): TimedSegment[] {
  return Array.from({ length: count }, (_, index) => ({ msn: fromMsn + index, durationSec: 2, discontinuity: false, programDateTimeMs: startMs + index * 2000, storedAtMs: startMs + (index + 1) * 2000 }));
}

// Recording a: 10:00-10:10 with a 1-min outage at 10:04; recording b: 11:00-11:05.
const at = (minutes: number) => DAY_START_MS + 10 * 3_600_000 + minutes * MIN_MS;
const timeline = buildDayTimeline(DAY, [
  { recording: { id: 'a', gaps: [] }, segments: [...dated(0, 120, at(0)), ...dated(120, 150, at(5))] },
  { recording: { id: 'b', gaps: [] }, segments: dated(0, 150, at(60)) },
]);

describe('planRangeExport', () => {
  test('maps a wall-clock range to the recording media time, gaps left out', () => {
    expect(planRangeExport(timeline, { startMs: at(1), endMs: at(2) })).toEqual({ recordingId: 'a', startSec: 60, endSec: 120, fromMs: at(1), toMs: at(2) });
    // From 10:03 to 10:06: the outage 10:04-10:05 is not in the media, so 2 min of media.
    expect(planRangeExport(timeline, { startMs: at(3), endMs: at(6) })).toMatchObject({ startSec: 180, endSec: 300 });
  });

  test('a range starting or ending where nothing was recorded is clipped to the recording', () => {
    expect(planRangeExport(timeline, { startMs: at(-5), endMs: at(1) })).toEqual({ recordingId: 'a', startSec: 0, endSec: 60, fromMs: at(0), toMs: at(1) });
    expect(planRangeExport(timeline, { startMs: at(64), endMs: at(70) })).toEqual({ recordingId: 'b', startSec: 240, endSec: 300, fromMs: at(64), toMs: at(65) });
  });

  test('says what to change for a reversed range, an empty one, or one over two recordings', () => {
    expect(planRangeExport(timeline, { startMs: at(2), endMs: at(1) })).toEqual({ message: expect.stringMatching(/must end after it starts/) });
    expect(planRangeExport(timeline, { startMs: at(20), endMs: at(30) })).toEqual({ message: expect.stringMatching(/^Nothing was recorded from \d\d:\d\d:\d\d to/) });
    expect(planRangeExport(timeline, { startMs: at(8), endMs: at(62) })).toEqual({ message: expect.stringMatching(/covers 2 recordings; export one at a time/) });
  });
});
