import { startsDiscontinuity } from '../storage/segment-timeline.ts';
import type { SegmentRecord } from '../storage/types.ts';

/**
 * Origin of the made-up URLs under which a stored recording is played. `.invalid` never
 * resolves (RFC 6761); {@link IdbLoader} answers every request for it from IndexedDB.
 */
export const RECORDING_URL_ORIGIN = 'https://recordings.tapedeck.invalid';

/** URL of a recording's generated VOD playlist. */
export function recordingPlaylistUrl(recordingId: string): string {
  return `${RECORDING_URL_ORIGIN}/${encodeURIComponent(recordingId)}/index.m3u8`;
}

/** URL of one stored segment. */
export function recordingSegmentUrl(recordingId: string, msn: number): string {
  return `${RECORDING_URL_ORIGIN}/${encodeURIComponent(recordingId)}/${msn}.ts`;
}

/** Reads a URL made by {@link recordingPlaylistUrl} or {@link recordingSegmentUrl}; null for others. */
export function parseRecordingUrl(url: string): { recordingId: string; msn: number | null } | null {
  const match = /^https:\/\/recordings\.tapedeck\.invalid\/([^/]+)\/(?:index\.m3u8|(\d+)\.ts)$/.exec(url);
  if (!match) return null;
  return { recordingId: decodeURIComponent(match[1]!), msn: match[2] === undefined ? null : Number(match[2]) };
}

/**
 * Writes a VOD media playlist (RFC 8216 section 4.3.3.5, EXT-X-PLAYLIST-TYPE:VOD with
 * EXT-X-ENDLIST) listing a recording's stored segments, with EXT-X-DISCONTINUITY wherever
 * the stream had one and wherever segments are missing, so players re-time across gaps.
 * @param segments - in media sequence order; only timing fields are read.
 */
export function buildRecordingPlaylist(recordingId: string, segments: readonly Pick<SegmentRecord, 'msn' | 'durationSec' | 'discontinuity'>[]): string {
  const targetDurationSec = Math.max(1, ...segments.map((segment) => Math.ceil(segment.durationSec)));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${targetDurationSec}`, '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD'];
  let previous: (typeof segments)[number] | undefined;
  for (const segment of segments) {
    if (previous && startsDiscontinuity(previous, segment)) lines.push('#EXT-X-DISCONTINUITY');
    lines.push(`#EXTINF:${segment.durationSec.toFixed(6)},`, recordingSegmentUrl(recordingId, segment.msn));
    previous = segment;
  }
  lines.push('#EXT-X-ENDLIST', '');
  return lines.join('\n');
}
