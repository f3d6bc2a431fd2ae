/**
 * The wall clock burned into exported pictures, in the viewer's time zone across daylight-saving
 * changes: ffmpeg.wasm knows no time zone (drawtext's `localtime` is UTC there), so each stretch
 * of one UTC offset gets its own drawtext, printing `gmtime` of a base moved by that offset.
 */

/** From `fromSec` of a run's output (its frames' `t`), the clock shows `gmtime(t + wallClockStartSec)`. */
export interface WallClockPiece {
  /** Output time the piece starts at, in seconds (0 for the first). */
  fromSec: number;
  /** Wall-clock time at output time 0, in seconds since the Unix epoch, moved by the piece's UTC offset. */
  wallClockStartSec: number;
}

/**
 * A function telling the UTC offset of an IANA time zone at a moment, in minutes east of UTC
 * (local time = UTC + offset), from the ECMA-402 `longOffset` time zone name (`GMT+02:00`).
 * @param timeZone - IANA name, e.g. `Europe/Berlin`, or `UTC`.
 * @throws RangeError for a time zone name Intl does not know.
 */
export function utcOffsetMinIn(timeZone: string): (utcMs: number) => number {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
  return (utcMs) => {
    const name = format.formatToParts(utcMs).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
    const match = /^GMT([+-])(\d{1,2})(?::(\d{2}))?$/.exec(name);
    if (!match) return 0;
    return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3] ?? 0));
  };
}

/** Steps at which {@link wallClockPieces} looks for an offset change: no zone changes twice within an hour. */
const OFFSET_PROBE_STEP_MS = 60 * 60 * 1000;

/**
 * The drawtext pieces of one run: the UTC offset in force at its first frame, and a new piece
 * at each change of offset (a daylight-saving change) within its length, found to the
 * millisecond.
 * @param utcStartSec - wall-clock time of the run's output time 0, in seconds since the Unix epoch (UTC).
 * @param durationSec - length of the run's output, in seconds.
 * @param offsetMinAt - the UTC offset at a moment, as {@link utcOffsetMinIn} gives.
 * @returns at least one piece, by increasing `fromSec`, the first from 0.
 */
export function wallClockPieces(utcStartSec: number, durationSec: number, offsetMinAt: (utcMs: number) => number): WallClockPiece[] {
  const startMs = utcStartSec * 1000;
  const endMs = startMs + Math.max(0, durationSec) * 1000;
  let offsetMin = offsetMinAt(startMs);
  const pieces: WallClockPiece[] = [{ fromSec: 0, wallClockStartSec: utcStartSec + offsetMin * 60 }];
  for (let fromMs = startMs; fromMs < endMs; fromMs += OFFSET_PROBE_STEP_MS) {
    let toMs = Math.min(fromMs + OFFSET_PROBE_STEP_MS, endMs);
    if (offsetMinAt(toMs) === offsetMin) continue;
    // The change is in (fromMs, toMs]: halve to its first millisecond.
    let lowMs = fromMs;
    while (toMs - lowMs > 1) {
      const midMs = Math.floor((lowMs + toMs) / 2);
      if (offsetMinAt(midMs) === offsetMin) lowMs = midMs;
      else toMs = midMs;
    }
    offsetMin = offsetMinAt(toMs);
    pieces.push({ fromSec: (toMs - startMs) / 1000, wallClockStartSec: utcStartSec + offsetMin * 60 });
  }
  return pieces;
}
