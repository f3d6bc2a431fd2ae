import { startsDiscontinuity } from '../storage/segment-timeline.ts';
import type { SegmentRecord } from '../storage/types.ts';

/**
 * Origin of the made-up URLs under which a stored recording is played. `.invalid` never
 * resolves (RFC 6761); {@link IdbLoader} answers every request for it from IndexedDB.
 */
export const RECORDING_URL_ORIGIN = 'https://recordings.tapedeck.invalid';

/** URL of a recording's generated media playlist (VOD once ended, EVENT while recording). */
export function recordingPlaylistUrl(recordingId: string): string {
  return `${RECORDING_URL_ORIGIN}/${encodeURIComponent(recordingId)}/index.m3u8`;
}

/** URL of one stored segment. */
export function recordingSegmentUrl(recordingId: string, msn: number): string {
  return `${RECORDING_URL_ORIGIN}/${encodeURIComponent(recordingId)}/${msn}.ts`;
}

/** URL of one stored fMP4 init section (EXT-X-MAP, RFC 8216 section 4.3.2.5). */
export function recordingInitSectionUrl(recordingId: string, initSectionId: number): string {
  return `${RECORDING_URL_ORIGIN}/${encodeURIComponent(recordingId)}/init-${initSectionId}.mp4`;
}

/** What a recording URL names: the playlist (`msn` and `initSectionId` null), a segment, or an init section. */
export interface RecordingUrlParts {
  recordingId: string;
  msn: number | null;
  initSectionId: number | null;
}

/**
 * Reads a URL made by {@link recordingPlaylistUrl}, {@link recordingSegmentUrl} or
 * {@link recordingInitSectionUrl}; null for others.
 */
export function parseRecordingUrl(url: string): RecordingUrlParts | null {
  const match = /^https:\/\/recordings\.tapedeck\.invalid\/([^/]+)\/(?:index\.m3u8|(\d+)\.ts|init-(\d+)\.mp4)$/.exec(url);
  if (!match) return null;
  return {
    recordingId: decodeURIComponent(match[1]!),
    msn: match[2] === undefined ? null : Number(match[2]),
    initSectionId: match[3] === undefined ? null : Number(match[3]),
  };
}

/** EXT-X-PLAYLIST-TYPE of a generated playlist (RFC 8216 section 4.3.3.5). */
export type RecordingPlaylistType = 'VOD' | 'EVENT';

/** How {@link buildRecordingPlaylist} writes a playlist. */
export interface RecordingPlaylistOptions {
  /**
   * Whether the recording has ended (status `complete` or `interrupted`): only then is
   * EXT-X-ENDLIST written. Without it players treat the playlist as live and reload it to
   * find new segments. Defaults to true.
   */
  ended?: boolean;
  /**
   * `EVENT` for a recording still in progress, and for any later version of a playlist a
   * player first got as `EVENT` (RFC 8216 section 6.2.1: the type of a playlist must not
   * change; an EVENT playlist may only be appended to, ENDLIST included). `VOD` only for an
   * ended recording. Defaults to `VOD` when `ended`, else `EVENT`.
   */
  playlistType?: RecordingPlaylistType;
}

/**
 * Writes a media playlist listing a recording's stored segments, with EXT-X-DISCONTINUITY
 * wherever the stream had one and wherever segments are missing, so players re-time across
 * gaps. An ended recording gets a VOD playlist with EXT-X-ENDLIST; a recording in progress an
 * EVENT playlist without it (RFC 8216 section 4.3.3.5), which players reload to play while
 * capture continues (time-shift). fMP4 segments get an EXT-X-MAP naming their stored init
 * section before the first of them and wherever it changes (RFC 8216 section 4.3.2.5; the
 * playlist is then version 6, section 7).
 * @param segments - in media sequence order; only timing fields and `initSectionId` are read.
 * @throws RangeError for `playlistType: 'VOD'` with `ended: false` (a VOD playlist is complete).
 */
export function buildRecordingPlaylist(recordingId: string, segments: readonly (Pick<SegmentRecord, 'msn' | 'durationSec' | 'discontinuity'> & Partial<Pick<SegmentRecord, 'initSectionId'>>)[], options: RecordingPlaylistOptions = {}): string {
  const ended = options.ended ?? true;
  const playlistType = options.playlistType ?? (ended ? 'VOD' : 'EVENT');
  if (playlistType === 'VOD' && !ended) throw new RangeError('A VOD playlist is complete: it cannot be written for a recording still in progress.');
  const targetDurationSec = Math.max(1, ...segments.map((segment) => Math.ceil(segment.durationSec)));
  const version = segments.some((segment) => segment.initSectionId !== undefined) ? 6 : 3;
  const lines = ['#EXTM3U', `#EXT-X-VERSION:${version}`, `#EXT-X-TARGETDURATION:${targetDurationSec}`, '#EXT-X-MEDIA-SEQUENCE:0', `#EXT-X-PLAYLIST-TYPE:${playlistType}`];
  let previous: (typeof segments)[number] | undefined;
  for (const segment of segments) {
    if (previous && startsDiscontinuity(previous, segment)) lines.push('#EXT-X-DISCONTINUITY');
    if (segment.initSectionId !== undefined && segment.initSectionId !== previous?.initSectionId) {
      lines.push(`#EXT-X-MAP:URI="${recordingInitSectionUrl(recordingId, segment.initSectionId)}"`);
    }
    lines.push(`#EXTINF:${segment.durationSec.toFixed(6)},`, recordingSegmentUrl(recordingId, segment.msn));
    previous = segment;
  }
  if (ended) lines.push('#EXT-X-ENDLIST');
  lines.push('');
  return lines.join('\n');
}
