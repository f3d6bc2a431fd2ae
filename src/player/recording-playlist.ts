import { isSubtitlesRendition, renditionTrackName } from '../capture/rendition-recorder.ts';
import { timelineEntries } from '../storage/playback-timeline.ts';
import type { GapRecord, Recording, SegmentRecord } from '../storage/types.ts';

/**
 * Origin of the made-up URLs under which a stored recording is played. `.invalid` never
 * resolves (RFC 6761); {@link IdbLoader} answers every request for it from IndexedDB.
 */
export const RECORDING_URL_ORIGIN = 'https://recordings.tapedeck.invalid';

/** URL of a recording's generated media playlist (VOD once ended, EVENT while recording). */
export function recordingPlaylistUrl(recordingId: string): string {
  return `${RECORDING_URL_ORIGIN}/${encodeURIComponent(recordingId)}/index.m3u8`;
}

/**
 * URL of a recording's generated master playlist: its media playlist as the one variant, with
 * its alternate renditions (see {@link buildRecordingMasterPlaylist}). What players load.
 */
export function recordingMasterUrl(recordingId: string): string {
  return `${RECORDING_URL_ORIGIN}/${encodeURIComponent(recordingId)}/master.m3u8`;
}

/** URL of one stored segment. */
export function recordingSegmentUrl(recordingId: string, msn: number): string {
  return `${RECORDING_URL_ORIGIN}/${encodeURIComponent(recordingId)}/${msn}.ts`;
}

/** URL of one stored fMP4 init section (EXT-X-MAP, RFC 8216 section 4.3.2.5). */
export function recordingInitSectionUrl(recordingId: string, initSectionId: number): string {
  return `${RECORDING_URL_ORIGIN}/${encodeURIComponent(recordingId)}/init-${initSectionId}.mp4`;
}

/**
 * What a recording URL names: the media playlist (`msn` and `initSectionId` null), the master
 * playlist (`master` true, the others null), a segment, or an init section.
 */
export interface RecordingUrlParts {
  recordingId: string;
  msn: number | null;
  initSectionId: number | null;
  /** Set, true, for the master playlist only. */
  master?: true;
}

/**
 * Reads a URL made by {@link recordingPlaylistUrl}, {@link recordingMasterUrl},
 * {@link recordingSegmentUrl} or {@link recordingInitSectionUrl}; null for others.
 */
export function parseRecordingUrl(url: string): RecordingUrlParts | null {
  const match = /^https:\/\/recordings\.tapedeck\.invalid\/([^/]+)\/(?:index\.m3u8|(master)\.m3u8|(\d+)\.ts|init-(\d+)\.mp4)$/.exec(url);
  if (!match) return null;
  return {
    recordingId: decodeURIComponent(match[1]!),
    msn: match[3] === undefined ? null : Number(match[3]),
    initSectionId: match[4] === undefined ? null : Number(match[4]),
    ...(match[2] && { master: true as const }),
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
  /**
   * The recording's gap records: its dropouts are written as EXT-X-GAP segments, so the
   * timeline keeps their time (src/storage/playback-timeline.ts). Defaults to none.
   */
  gaps?: readonly Pick<GapRecord, 'fromMsn' | 'count' | 'durationSec' | 'reason'>[];
}

/**
 * Writes a media playlist of a recording's playback timeline (src/storage/playback-timeline.ts):
 * its stored segments, with EXT-X-DISCONTINUITY wherever the stream had one and wherever
 * segments are missing that no dropout accounts for (an outage), so players re-time there; and
 * each dropout (segments the stream had and the recording lacks) as EXT-X-GAP segments of its
 * duration (draft-pantos-hls-rfc8216bis section 4.4.4.7), which players skip while keeping the
 * time, so that a recording and its alternate renditions stay on one timeline whichever lost a
 * segment. An ended recording gets a VOD playlist with EXT-X-ENDLIST; a recording in progress an
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
  const entries = timelineEntries(segments, options.gaps ?? []);
  // A reduce, not Math.max(...): a day of 1-second segments is too many arguments to spread.
  const targetDurationSec = entries.reduce((max, entry) => Math.max(max, Math.ceil(entry.kind === 'segment' ? entry.segment.durationSec : entry.durationSec)), 1);
  const version = segments.some((segment) => segment.initSectionId !== undefined) ? 6 : 3;
  const lines = ['#EXTM3U', `#EXT-X-VERSION:${version}`, `#EXT-X-TARGETDURATION:${targetDurationSec}`, '#EXT-X-MEDIA-SEQUENCE:0', `#EXT-X-PLAYLIST-TYPE:${playlistType}`];
  let initSectionId: number | undefined;
  let dropouts = 0;
  for (const entry of entries) {
    if (entry.kind === 'dropout') {
      // Never requested: players skip EXT-X-GAP segments.
      lines.push('#EXT-X-GAP', `#EXTINF:${entry.durationSec.toFixed(6)},`, `${RECORDING_URL_ORIGIN}/${encodeURIComponent(recordingId)}/gap-${dropouts++}.ts`);
      continue;
    }
    const { segment } = entry;
    if (entry.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    if (segment.initSectionId !== undefined && segment.initSectionId !== initSectionId) {
      lines.push(`#EXT-X-MAP:URI="${recordingInitSectionUrl(recordingId, segment.initSectionId)}"`);
    }
    lines.push(`#EXTINF:${segment.durationSec.toFixed(6)},`, recordingSegmentUrl(recordingId, segment.msn));
    initSectionId = segment.initSectionId;
  }
  if (ended) lines.push('#EXT-X-ENDLIST');
  lines.push('');
  return lines.join('\n');
}

/** Quotes an attribute value of a playlist tag (RFC 8216 section 4.2: no `"`, CR or LF inside). */
function quoted(text: string): string {
  return `"${text.replace(/["\r\n]/g, "'")}"`;
}

/**
 * Writes the master playlist of a stored recording (RFC 8216 section 4.3.4): its own media
 * playlist as the one variant stream, with each alternate rendition recorded alongside it (child
 * recordings) as an EXT-X-MEDIA of TYPE=AUDIO (group `audio`, the first the default) or
 * TYPE=SUBTITLES (group `subs`, not on by default) naming the child's media playlist, so that a
 * player plays the recording with its alternate audio and offers its subtitles.
 * @param renditions - the recording's children that have segments, in the order to offer them.
 */
export function buildRecordingMasterPlaylist(main: Pick<Recording, 'id' | 'bytes' | 'durationSec'>, renditions: readonly Pick<Recording, 'id' | 'title' | 'codecs'>[]): string {
  const audio = renditions.filter((rendition) => !isSubtitlesRendition(rendition));
  const subtitles = renditions.filter((rendition) => isSubtitlesRendition(rendition));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:6', '#EXT-X-INDEPENDENT-SEGMENTS'];
  audio.forEach((rendition, i) => {
    const yes = i === 0 ? 'YES' : 'NO';
    lines.push(`#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME=${quoted(renditionTrackName(rendition))},DEFAULT=${yes},AUTOSELECT=${yes},URI="${recordingPlaylistUrl(rendition.id)}"`);
  });
  for (const rendition of subtitles) {
    lines.push(`#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME=${quoted(renditionTrackName(rendition))},DEFAULT=NO,AUTOSELECT=YES,URI="${recordingPlaylistUrl(rendition.id)}"`);
  }
  // BANDWIDTH is required (section 4.3.4.2); the recording's mean bit rate stands in for its peak.
  const bandwidthBps = Math.max(1, Math.round((main.bytes * 8) / Math.max(main.durationSec, 1)));
  // No CODECS: hls.js reads them from the segments, and drops a variant whose CODECS it cannot
  // map to Media Source types (`mp3` as mediabunny names it).
  const attributes = [`BANDWIDTH=${bandwidthBps}`, ...(audio.length ? ['AUDIO="audio"'] : []), ...(subtitles.length ? ['SUBTITLES="subs"'] : [])];
  lines.push(`#EXT-X-STREAM-INF:${attributes.join(',')}`, recordingPlaylistUrl(main.id), '');
  return lines.join('\n');
}
