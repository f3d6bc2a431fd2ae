import type { GapRecord } from './types.ts';
import type { StoredSegmentTiming } from './segment-timeline.ts';

/**
 * The timeline a recording plays on: its stored segments end to end by EXTINF duration (RFC 8216
 * section 4.3.2.1), with each *dropout* kept as time. A dropout is a run of segments the stream
 * had and the recording lacks (slid out of the live window, 404, retries exhausted, ...): the
 * stream's timestamps run on across it, so the time stays, as a hole, and every rendition of the
 * recording keeps the same timeline whichever of them lost the segment. An `outage` (capture was
 * paused, or its tab closed) is not kept: the recording is joined up there like a paused tape,
 * with EXT-X-DISCONTINUITY (section 4.3.2.3), in every rendition alike.
 *
 * The generated playlists (src/player/recording-playlist.ts) write dropouts as EXT-X-GAP
 * segments (draft-pantos-hls-rfc8216bis section 4.4.4.7); the review's wall-clock map and trims
 * read the same entries, so a position means the same moment everywhere. Exports leave dropouts
 * out ({@link storedSecAt} converts).
 */

/** Most EXT-X-GAP entries written for one gap record; longer gaps get longer entries. */
const MAX_DROPOUT_ENTRIES_PER_GAP = 10_000;

/** True for a gap kept as time on the playback timeline (see the module comment). */
export function isDropout(gap: Pick<GapRecord, 'reason' | 'count' | 'durationSec'>): boolean {
  return gap.reason !== 'outage' && gap.count > 0 && gap.durationSec > 0;
}

/** A stored segment minimal enough to lay out. */
export type LaidSegment = StoredSegmentTiming & { durationSec: number };

/** One entry of the playback timeline, in order. */
export type TimelineEntry<S extends LaidSegment> =
  | {
      kind: 'segment';
      segment: S;
      /** The segment cannot continue the media before it (EXT-X-DISCONTINUITY goes before it). */
      discontinuity: boolean;
    }
  | {
      kind: 'dropout';
      /** Missing media, in seconds (the gap's EXTINF durations, or target durations). */
      durationSec: number;
    };

/**
 * Lays a recording's stored segments and its dropouts out in media sequence order: before each
 * segment the dropouts among the msns missing between it and the segment before it. Dropouts
 * before the first stored segment or after the last are not laid out: players would stall in a
 * hole at either end (hls.js 1.7 never starts in one, and never ends after one), and there is no
 * media to keep in step there. A segment starts a discontinuity where the stream marked one,
 * where its msn does not follow the one before, or where msns are missing that no dropout
 * accounts for (an outage, or an unexplained hole); not where dropouts fill the hole exactly.
 * @param segments - one recording's segments, in media sequence order.
 * @param gaps - the recording's gap records (any order); outages and empty gaps are skipped.
 */
export function timelineEntries<S extends LaidSegment>(segments: readonly S[], gaps: readonly Pick<GapRecord, 'fromMsn' | 'count' | 'durationSec' | 'reason'>[]): TimelineEntry<S>[] {
  const entries: TimelineEntry<S>[] = [];
  const dropouts = gaps.filter(isDropout).sort((a, b) => a.fromMsn - b.fromMsn);
  /** Emits the dropouts' share of msns in [fromMsn, toMsn); returns how many msns they covered. */
  const fill = (fromMsn: number, toMsn: number): number => {
    let cursor = fromMsn;
    let covered = 0;
    for (const gap of dropouts) {
      const from = Math.max(gap.fromMsn, cursor);
      const to = Math.min(gap.fromMsn + gap.count, toMsn);
      if (to <= from) continue;
      const count = to - from;
      const pieces = Math.min(count, MAX_DROPOUT_ENTRIES_PER_GAP);
      const pieceSec = (gap.durationSec * count) / gap.count / pieces;
      for (let i = 0; i < pieces; i += 1) entries.push({ kind: 'dropout', durationSec: pieceSec });
      covered += count;
      cursor = to;
    }
    return covered;
  };
  let previous: S | undefined;
  for (const segment of segments) {
    let discontinuity = false;
    if (previous) {
      const missing = segment.msn - previous.msn - 1;
      const covered = missing > 0 ? fill(previous.msn + 1, segment.msn) : 0;
      discontinuity = segment.discontinuity || missing < 0 || covered < missing;
    }
    entries.push({ kind: 'segment', segment, discontinuity });
    previous = segment;
  }
  return entries;
}

/** Length of the playback timeline, in seconds: stored segments plus dropouts. */
export function timelineDurationSec(entries: readonly TimelineEntry<LaidSegment>[]): number {
  return entries.reduce((sum, entry) => sum + (entry.kind === 'segment' ? entry.segment.durationSec : entry.durationSec), 0);
}

/**
 * Length of a recording's playback timeline, in seconds: its stored duration plus the dropouts
 * between its first and last stored msn, as {@link timelineEntries} lays them out. What players
 * show and trims are measured against.
 * @param storedMsns - the first and last stored media sequence numbers; null when not known,
 *   which counts every dropout (an upper bound).
 */
export function playbackDurationSec(recording: { durationSec: number; gaps: readonly Pick<GapRecord, 'fromMsn' | 'reason' | 'count' | 'durationSec'>[] }, storedMsns: { firstMsn: number; lastMsn: number } | null): number {
  const inside = (gap: Pick<GapRecord, 'fromMsn' | 'count'>) => (storedMsns ? Math.max(0, Math.min(gap.fromMsn + gap.count, storedMsns.lastMsn) - Math.max(gap.fromMsn, storedMsns.firstMsn + 1)) : gap.count);
  return recording.durationSec + recording.gaps.filter(isDropout).reduce((sum, gap) => sum + (gap.durationSec * inside(gap)) / gap.count, 0);
}

/**
 * Converts a position on the playback timeline to the recording's stored time (segments end to
 * end, dropouts left out), as exports lay the media out. A position inside a dropout maps to the
 * start of the segment after it; positions past the end map to the end.
 * @param playbackSec - seconds on the playback timeline; negative counts as 0.
 */
export function storedSecAt(entries: readonly TimelineEntry<LaidSegment>[], playbackSec: number): number {
  let playedSec = 0;
  let storedSec = 0;
  for (const entry of entries) {
    const durationSec = entry.kind === 'segment' ? entry.segment.durationSec : entry.durationSec;
    if (playbackSec < playedSec + durationSec) {
      return entry.kind === 'segment' ? storedSec + Math.max(0, playbackSec - playedSec) : storedSec;
    }
    playedSec += durationSec;
    if (entry.kind === 'segment') storedSec += durationSec;
  }
  return storedSec;
}
