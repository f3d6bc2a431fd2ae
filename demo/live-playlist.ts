/**
 * A fake live HLS stream that loops a short pre-cut clip forever, so the demo works offline.
 *
 * Model: segment with Media Sequence Number (MSN) `k` is clip segment `k % n` (n = clip
 * length in segments), played in loop `floor(k / n)`. Segment `k` starts at
 * `epochMs + loop * loopDurationMs + offsetInClipMs` and is "complete" (published) once the
 * wall clock passes its end. Every loop after the first starts with EXT-X-DISCONTINUITY,
 * because the clip's timestamps jump back to their start.
 */

/**
 * One pre-cut segment of the demo clip, as listed in `demo/segments/segments.json`
 * (a Media Segment, RFC 8216 section 3).
 */
export interface DemoSegment {
  /** File name of the segment, relative to the segments directory (e.g. `demo00.ts`). */
  uri: string;
  /** Segment duration in seconds, as in its EXTINF tag (RFC 8216 section 4.3.2.1). */
  durationSec: number;
}

/** Inputs of {@link buildDemoLivePlaylist} (live playlist, RFC 8216 section 6.2.2). */
export interface DemoLivePlaylistOptions {
  /** Current wall-clock time in milliseconds since the Unix epoch (e.g. `Date.now()`). */
  nowMs: number;
  /** Wall-clock time in milliseconds at which the live stream started (MSN 0 begins here). */
  epochMs: number;
  /** The clip's segments in playback order; looped forever. Must be non-empty, durations > 0. */
  segments: DemoSegment[];
  /** Maximum number of segments listed (sliding window, RFC 8216 section 6.2.2); >= 1. */
  windowSize: number;
  /** Prefix put before each segment `uri` in the playlist, e.g. `/demo/segments/`. */
  uriPrefix: string;
}

/**
 * Validates the clip and returns its segment durations in whole milliseconds (rounded, so the
 * timeline is free of floating-point drift).
 */
function durationsMs(segments: DemoSegment[]): number[] {
  if (segments.length === 0) throw new Error('demo clip has no segments');
  return segments.map((s) => {
    const ms = Math.round(s.durationSec * 1000);
    if (!(Number.isFinite(ms) && ms > 0)) {
      throw new Error(`segment ${s.uri} has invalid durationSec ${s.durationSec}`);
    }
    return ms;
  });
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

/**
 * Media Sequence Number (RFC 8216 section 4.3.3.2) of the newest segment that is complete at
 * `nowMs`, i.e. whose end lies at or before `nowMs - epochMs` on the looped clip's timeline.
 * Before the first segment has finished (including `nowMs < epochMs`) this is 0: the clip is
 * pre-recorded, so MSN 0 is published immediately and the playlist is never empty.
 *
 * Non-decreasing in `nowMs`; rises by one per segment duration of wall-clock time.
 *
 * @param nowMs - Current wall-clock time in milliseconds.
 * @param epochMs - Stream start time in milliseconds.
 * @param segments - The looped clip's segments (durations in seconds).
 * @returns The newest published MSN (integer >= 0).
 */
export function demoNewestMediaSequence(
  nowMs: number,
  epochMs: number,
  segments: DemoSegment[],
): number {
  const segMs = durationsMs(segments);
  const n = segMs.length;
  const loopMs = sum(segMs);
  const elapsedMs = Math.max(0, nowMs - epochMs);
  const fullLoops = Math.floor(elapsedMs / loopMs);
  let remainingMs = elapsedMs - fullLoops * loopMs;
  let completeInLoop = 0;
  for (const durMs of segMs) {
    if (remainingMs < durMs) break;
    remainingMs -= durMs;
    completeInLoop++;
  }
  const completeCount = fullLoops * n + completeInLoop;
  return Math.max(0, completeCount - 1);
}

/**
 * Discontinuity Sequence Number (RFC 8216 section 4.3.3.3) to advertise when the first listed
 * segment is `firstMsn`: the number of EXT-X-DISCONTINUITY tags (loop starts at MSN n, 2n, ...)
 * that have slid out of the window, as required when removing them (section 6.2.2).
 *
 * @param firstMsn - MSN of the first segment in the playlist.
 * @param clipSegmentCount - Number of segments in one loop of the clip.
 */
export function demoDiscontinuitySequence(firstMsn: number, clipSegmentCount: number): number {
  return firstMsn <= 0 ? 0 : Math.floor((firstMsn - 1) / clipSegmentCount);
}

/**
 * Builds the live Media Playlist (RFC 8216 section 6.2.2) for the looped demo clip at `nowMs`.
 *
 * Lists the newest `windowSize` complete segments (fewer right after `epochMs`) with
 * EXT-X-VERSION:3, EXT-X-TARGETDURATION (ceiling of the longest clip segment, in seconds),
 * EXT-X-MEDIA-SEQUENCE (section 4.3.3.2), EXT-X-DISCONTINUITY-SEQUENCE (section 4.3.3.3) and
 * EXT-X-DISCONTINUITY before each segment that starts a new loop (MSN n, 2n, ...; never MSN 0).
 * There is no EXT-X-ENDLIST: the stream never ends. Pure: same inputs, same text.
 *
 * @returns The playlist text, lines separated by `\n`, ending with a newline.
 */
export function buildDemoLivePlaylist(options: DemoLivePlaylistOptions): string {
  const { nowMs, epochMs, segments, windowSize, uriPrefix } = options;
  durationsMs(segments);
  if (!(Number.isInteger(windowSize) && windowSize >= 1)) {
    throw new Error(`windowSize must be a positive integer, got ${windowSize}`);
  }
  const n = segments.length;
  const newestMsn = demoNewestMediaSequence(nowMs, epochMs, segments);
  const firstMsn = Math.max(0, newestMsn - windowSize + 1);
  const targetDurationSec = Math.ceil(Math.max(...segments.map((s) => s.durationSec)));

  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    `#EXT-X-TARGETDURATION:${targetDurationSec}`,
    `#EXT-X-MEDIA-SEQUENCE:${firstMsn}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${demoDiscontinuitySequence(firstMsn, n)}`,
  ];
  for (let msn = firstMsn; msn <= newestMsn; msn++) {
    const segment = segments[msn % n];
    if (!segment) throw new Error(`no clip segment for MSN ${msn}`);
    if (msn > 0 && msn % n === 0) lines.push('#EXT-X-DISCONTINUITY');
    lines.push(`#EXTINF:${segment.durationSec},`, `${uriPrefix}${segment.uri}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Wall-clock offset in milliseconds from `epochMs` at which the segment with Media Sequence
 * Number `msn` (RFC 8216 section 4.3.3.2) starts on the looped timeline. Segment `msn` is
 * published (listed) once `nowMs - epochMs >= demoSegmentStartMs(msn + 1, segments)`.
 *
 * @param msn - Media Sequence Number (integer >= 0).
 * @param segments - The looped clip's segments (durations in seconds).
 */
export function demoSegmentStartMs(msn: number, segments: DemoSegment[]): number {
  const segMs = durationsMs(segments);
  const n = segMs.length;
  return Math.floor(msn / n) * sum(segMs) + sum(segMs.slice(0, msn % n));
}
