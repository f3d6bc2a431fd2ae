import type { DayTimeline } from '../../cameras/day-index.ts';
import { exportRecording, type ExportedFile, type ExportOptions } from '../../export/exporter.ts';
import { WallClockMap } from '../../player/wall-clock.ts';
import type { Recording } from '../../storage/types.ts';
import { formatClock } from './review-format.ts';

/** A wall-clock range the user chose; ms since the Unix epoch. */
export interface WallClockRange {
  startMs: number;
  endMs: number;
}

/** A range export ready to run: the recording it lies in and the range in its media time. */
export interface RangeExportPlan {
  recordingId: string;
  /** In and out point, in seconds of the recording's media time (its segments end to end). */
  startSec: number;
  endSec: number;
  /** The wall-clock range actually covered (the chosen one, clipped to the recorded span). */
  fromMs: number;
  toMs: number;
}

/** Shortest range accepted, in ms (one frame at 25 fps). */
const MIN_RANGE_MS = 40;

/**
 * Turns a wall-clock range on a day's timeline into a range of one recording. The range may
 * start or end in a gap: it is clipped to the recorded media inside it. It must lie within
 * one recording.
 * @returns the plan, or a message for the user saying what to change (start not before end,
 *   nothing recorded in the range, a range over two recordings).
 */
export function planRangeExport(timeline: DayTimeline, range: WallClockRange): RangeExportPlan | { message: string } {
  if (!(range.endMs - range.startMs >= MIN_RANGE_MS)) return { message: `The range must end after it starts (from ${formatClock(range.startMs)} to ${formatClock(range.endMs)}).` };
  const inside = timeline.spans.filter((span) => span.endMs > range.startMs && span.startMs < range.endMs);
  if (inside.length === 0) return { message: `Nothing was recorded from ${formatClock(range.startMs)} to ${formatClock(range.endMs)}. Choose a range over a recorded (coloured) part of the timeline.` };
  const recordingIds = [...new Set(inside.map((span) => span.recordingId))];
  if (recordingIds.length > 1) {
    const first = inside.filter((span) => span.recordingId === recordingIds[0]);
    return { message: `The range covers ${recordingIds.length} recordings; export one at a time. The first runs until ${formatClock(Math.max(...first.map((span) => span.endMs)))}.` };
  }
  const recordingId = recordingIds[0]!;
  const map = new WallClockMap(timeline.playbackByRecording.get(recordingId) ?? []);
  const fromMs = Math.max(range.startMs, Math.min(...inside.map((span) => span.startMs)));
  const toMs = Math.min(range.endMs, Math.max(...inside.map((span) => span.endMs)));
  const start = map.mediaSecAt(fromMs);
  const end = map.mediaSecAt(toMs);
  if (!start) return { message: `Nothing was recorded from ${formatClock(range.startMs)} to ${formatClock(range.endMs)}.` };
  const endSec = end ? end.mediaSec : map.durationSec;
  if (endSec - start.mediaSec < MIN_RANGE_MS / 1000) return { message: `Nothing was recorded from ${formatClock(range.startMs)} to ${formatClock(range.endMs)}.` };
  return { recordingId, startSec: start.mediaSec, endSec, fromMs, toMs };
}

/**
 * Exports the planned range of a recording as MP4: cut at keyframes without re-encoding (it may
 * start up to one segment early), or, with `burnWallClock`, re-encoded frame-exact with the
 * wall-clock time drawn into the picture (the exporter's defaults). The recording is only read.
 * This is the review's one call into the exporter.
 * @throws ExportError (see {@link exportRecording}) when the export fails or is cancelled.
 */
export function exportWallClockRange(recording: Recording, plan: RangeExportPlan, options: { burnWallClock: boolean; onProgress?: (fraction: number) => void; signal?: AbortSignal; dbName?: string }): Promise<ExportedFile> {
  const exportOptions: ExportOptions = {
    format: 'mp4',
    range: { startSec: plan.startSec, endSec: plan.endSec, mode: options.burnWallClock ? 'exact' : 'keyframe' },
    burnWallClock: options.burnWallClock,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.dbName ? { dbName: options.dbName } : {}),
  };
  return exportRecording(recording, exportOptions);
}

/** File name of a range export: the recording's title with the clock range, e.g. `Porch 22.31.05-22.32.05`. */
export function rangeExportTitle(recording: Recording, plan: RangeExportPlan): string {
  const clock = (timeMs: number) => formatClock(timeMs).replaceAll(':', '.');
  return `${recording.title} ${clock(plan.fromMs)}-${clock(plan.toMs)}`;
}
