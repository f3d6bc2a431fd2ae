import { ALL_FORMATS, BlobSource, Input } from 'mediabunny';
import { ptsWrapSec } from '../remux.ts';

/**
 * A point of a run given by a stored segment: the earliest first timestamp of its tracks (what
 * ffmpeg reports as the input's `start`) and seconds after it.
 */
export interface SegmentPoint {
  /** The segment's bytes, readable alone (fMP4 behind its init section). */
  segment: () => Promise<Blob>;
  /** Seconds after the segment's first timestamp (an `-ss`, or `-ss` plus `-t`). */
  afterSec: number;
  /** About where the point lies, in seconds after the run's in point (EXTINF time), to unwrap its timestamp. */
  expectedSec: number;
}

/**
 * A segment's start: the earliest first timestamp of its tracks, in seconds of its clock (what
 * ffmpeg calls the input's start).
 * @throws Error from mediabunny for bytes it cannot read, or for a segment without audio or video.
 */
export async function segmentStartSec(segment: Blob): Promise<number> {
  return (await segmentTimes(segment, false)).startSec;
}

/** One run of continuous timestamps of a video transcode, as the timeline places it. */
export interface TimelineRun {
  /** The in point: the run's first segment, and the in point of a range after it (0 but for the first run). */
  start: SegmentPoint;
  /**
   * Where the run ends: the out point of a range (`afterSec` after a segment's first timestamp),
   * or, with `afterSec` null, the end of the last packet of the run's last `segment`.
   */
  end: Omit<SegmentPoint, 'afterSec'> & { afterSec: number | null };
}

/** Where a run lands in the output. Source times are seconds of the run's own clock (MPEG-TS: PTS / 90 kHz), unwrapped near `anchorSec`. */
export interface RunPlacement {
  /** Output time, in seconds, where the source time `anchorSec` lands. */
  outputStartSec: number;
  /** The run's in point on its clock. */
  anchorSec: number;
  /** The run's end (its last packet's, or the out point) on its clock. */
  endSec: number;
  /** Output time where the run ends (`endSec` placed; never before `outputStartSec`), where the next run starts. */
  outputEndSec: number;
  /** The run's first audio packet on its clock; null when its first segment has no audio. */
  firstAudioSec: number | null;
  /** Output time of `sourceSec`, a time of the run's clock about `expectedSec` after its in point (unwrapped near it). */
  outputSecOf(sourceSec: number, expectedSec: number): number;
}

/**
 * First timestamps of a segment's tracks, in seconds of its clock, and with `withEnd` the end of
 * its last packet (else NaN).
 */
async function segmentTimes(segment: Blob, withEnd: boolean): Promise<{ startSec: number; firstAudioSec: number | null; endSec: number }> {
  const input = new Input({ source: new BlobSource(segment), formats: ALL_FORMATS });
  try {
    const tracks = (await input.getTracks()).filter((track) => track.isVideoTrack() || track.isAudioTrack());
    if (tracks.length === 0) throw new Error('A segment of the recording has no audio or video track.');
    const firsts = await Promise.all(tracks.map((track) => track.getFirstTimestamp()));
    const audioIndex = tracks.findIndex((track) => track.isAudioTrack());
    const ends = withEnd ? await Promise.all(tracks.map((track) => track.computeDuration())) : [NaN];
    return { startSec: Math.min(...firsts), firstAudioSec: audioIndex < 0 ? null : firsts[audioIndex]!, endSec: Math.max(...ends) };
  } finally {
    input.dispose();
  }
}

/**
 * Lays the runs of a video transcode end to end on one output timeline, from their timestamps:
 * within a run, output time follows the run's own clock (source time minus its in point), so
 * video pieces encoded apart and audio encoded on its own (src/export/transcode/aac-chunks.ts)
 * land where the source had them, with no drift whatever the number of chunks; each run starts
 * where the previous one ended (RFC 8216 section 4.3.2.3: timestamps break at a discontinuity).
 * A clock that wraps inside a run (33-bit PTS, after about 26.5 hours) is unwrapped near the
 * EXTINF time.
 *
 * Placements are computed when first asked for, each reading its run's first and last segment
 * (their first timestamps and end only).
 */
export class RunTimeline {
  private readonly placements = new Map<number, Promise<RunPlacement>>();

  constructor(private readonly runs: readonly TimelineRun[]) {}

  /**
   * Where run `index` lands.
   * @throws RangeError for an index out of range.
   * @throws Error from mediabunny for a segment it cannot read, or one without tracks.
   */
  placement(index: number): Promise<RunPlacement> {
    let placement = this.placements.get(index);
    if (!placement) {
      placement = this.place(index);
      this.placements.set(index, placement);
    }
    return placement;
  }

  private async place(index: number): Promise<RunPlacement> {
    const run = this.runs[index];
    if (!run) throw new RangeError(`There is no run ${index} of ${this.runs.length}.`);
    const outputStartSec = index === 0 ? 0 : (await this.placement(index - 1)).outputEndSec;
    const first = await segmentTimes(await run.start.segment(), false);
    const anchorSec = first.startSec + run.start.afterSec;
    const unwrap = (sourceSec: number, expectedSec: number) => sourceSec + ptsWrapSec(sourceSec, anchorSec + expectedSec);
    const endTimes = await segmentTimes(await run.end.segment(), run.end.afterSec === null);
    const endSec = unwrap(run.end.afterSec === null ? endTimes.endSec : endTimes.startSec + run.end.afterSec, run.end.expectedSec);
    return {
      outputStartSec,
      anchorSec,
      endSec,
      outputEndSec: outputStartSec + Math.max(0, endSec - anchorSec),
      firstAudioSec: first.firstAudioSec === null ? null : unwrap(first.firstAudioSec, 0),
      outputSecOf: (sourceSec, expectedSec) => outputStartSec + unwrap(sourceSec, expectedSec) - anchorSec,
    };
  }
}
