/**
 * What to record ({@link RecordRequest}) and how a recorder's start turns it into a first media
 * playlist: a media playlist, the chosen variant of a master playlist, the synthetic VOD of a URL
 * template, or the playlist of a recording being resumed.
 */

import type { CaptureConfig } from '../config.ts';
import type { RecordingStore } from '../storage/recording-store.ts';
import type { GapRecord, Recording } from '../storage/types.ts';
import { CaptureError } from './errors.ts';
import { loadChosenMediaPlaylist, type AlternateRendition } from './master-playlist.ts';
import type { PlaylistLoadOptions } from './playlist-loader.ts';
import type { MediaPlaylistSnapshot, VariantStream } from './playlist.ts';
import { loadResumePoint, type ResumePoint } from './resume.ts';
import { checkTimeRange, segmentsInTimeRange, type TimeRange } from './time-range.ts';
import { defaultRecordingTitle, sourceNameFromUrl } from './source-name.ts';
import { TEMPLATE_MARK, templatePlaylist, type UrlTemplate } from './url-template.ts';
import type { VariantChoice } from './variant-choice.ts';

/** What to record. */
export interface RecordRequest {
  /** A media or master playlist URL (for a URL template: the template's URL). */
  url: string;
  /** Title of the recording; default: source name and local start time. */
  title?: string;
  /** Which variant of a master playlist to record; default `{ kind: 'highest' }`. */
  variant?: VariantChoice;
  /**
   * Record the chosen variant's alternate renditions that have their own URI (EXT-X-MEDIA
   * TYPE=AUDIO or SUBTITLES, RFC 8216 section 4.3.4.1) too, each as a child recording
   * (`parentRecordingId`) with the same life cycle. Default true.
   */
  renditions?: boolean;
  /**
   * Of a VOD, record only the segments overlapping this range. Refused for a live stream. Kept
   * with the recording (and given to its alternate renditions), so that a resume takes the same part.
   */
  timeRange?: TimeRange;
  /** Record numbered segments from a URL template instead of a playlist (`url` is ignored). */
  urlTemplate?: UrlTemplate;
  /**
   * Continue this existing recording (interrupted, or stopped) instead of making a new one, with
   * its alternate renditions: its media playlist is loaded again, segments already stored are
   * skipped (a VOD, by media sequence number); a live stream takes every listed segment after the
   * last stored number, and when some were lost or the stream's own numbering restarted (then
   * msns are shifted to stay increasing), the time away is recorded as an `outage` gap. The
   * other fields are then ignored but `timeRange`, which defaults to the recording's own (the
   * part of the VOD it was made of); a recording made from a URL template lists its
   * segments again from the template it stored. Refused (CaptureError `resume-refused`) for a
   * recording another tab is capturing, a rendition, or a URL-template recording made before
   * templates were stored.
   */
  resumeRecordingId?: string;
  /** Set by the recorder of a main recording for its alternate renditions: the main recording's id. */
  parentRecordingId?: string;
  /** With `parentRecordingId`: the rendition's TYPE (subtitles are WebVTT text, not probed for codecs). */
  renditionType?: 'audio' | 'subtitles';
}

/** The first media playlist of a recording and what came with it. */
export interface OpenedSource {
  playlist: MediaPlaylistSnapshot;
  /** The chosen variant of a master playlist, else null. */
  variant: VariantStream | null;
  /** Alternate renditions to record alongside (empty unless asked for and listed). */
  renditions: AlternateRendition[];
  /** Where a resumed recording left off; null for a new recording. */
  resume: ResumePoint | null;
  /**
   * The segments of a VOD to fetch when a time range limits them, in order; null for all.
   */
  rangeSegments: MediaPlaylistSnapshot['segments'] | null;
  /** The URL stored as the recording's media playlist. */
  mediaPlaylistUrl: string;
  /** The URL template the segments come from (given, or stored with a resumed recording); null for a playlist. */
  urlTemplate: UrlTemplate | null;
}

/**
 * Loads what `request` asks to record, storing nothing.
 * @throws RecordingNotFoundError or CaptureError `resume-refused` for a resume that cannot be;
 *   CaptureError `bad-request` for a bad template or time range, or a time range on a live
 *   stream; otherwise as {@link loadChosenMediaPlaylist}.
 */
export async function openSource(request: RecordRequest, store: RecordingStore, config: CaptureConfig, options: PlaylistLoadOptions): Promise<OpenedSource> {
  const resume = request.resumeRecordingId ? await loadResumePoint(store, request.resumeRecordingId, undefined, Boolean(request.parentRecordingId)) : null;
  const asked = request.timeRange ?? resume?.recording.timeRange;
  const range = asked ? checkTimeRange(asked) : null;
  let opened: Omit<OpenedSource, 'rangeSegments' | 'resume'>;
  // A resumed template recording lists its segments again from the template it stored.
  const template = resume ? resume.recording.urlTemplate : request.urlTemplate;
  if (template) {
    const playlist = templatePlaylist(template, config.maxTemplateSegments);
    opened = { playlist, variant: null, renditions: [], mediaPlaylistUrl: template.url, urlTemplate: template };
  } else {
    const url = resume ? resume.recording.mediaPlaylistUrl : request.url;
    if (resume && url.includes(TEMPLATE_MARK)) {
      // Recorded from a template before templates were stored with their recordings.
      throw new CaptureError('resume-refused', 'This recording was made from a URL template by an older version of Tapedeck and cannot be resumed; record the template again.', false);
    }
    const choice = resume ? { kind: 'highest' as const } : (request.variant ?? { kind: 'highest' as const });
    const loaded = await loadChosenMediaPlaylist(url, choice, options);
    const renditions = request.renditions === false || resume ? [] : loaded.renditions;
    opened = { playlist: loaded.playlist, variant: loaded.variant, renditions, mediaPlaylistUrl: loaded.playlist.url, urlTemplate: null };
  }
  let rangeSegments: OpenedSource['rangeSegments'] = null;
  if (range) {
    if (!opened.playlist.endList) {
      throw new CaptureError('bad-request', 'A time range can only be recorded from a VOD (a playlist with EXT-X-ENDLIST); this stream is live.', false);
    }
    rangeSegments = segmentsInTimeRange(opened.playlist.segments, range);
  }
  return { ...opened, resume, rangeSegments };
}

/**
 * Makes the recording an opened source goes into: a new one (a child recording for a
 * rendition), or the resumed one set back to status `recording`.
 * @param nowMs - wall clock, in ms since the Unix epoch.
 * @throws RecordingNotFoundError when a resumed recording was deleted meanwhile; storage errors.
 */
export async function openRecording(store: RecordingStore, request: RecordRequest, opened: OpenedSource, nowMs: number): Promise<Recording> {
  if (opened.resume) {
    const id = opened.resume.recording.id;
    // A VOD fetches again what it is missing: its old gaps (not outages) go where it lists every
    // segment again, failures come back as new ones. A live stream that has ended lists only its
    // last window: a gap of segments that slid out before it stays. A live stream goes on after
    // its last stored segment, so it fetches again only the gaps after that one which it still
    // lists (segments that failed just before the interruption); the others stay missing.
    const listed = new Set((opened.rangeSegments ?? opened.playlist.segments).map((segment) => segment.msn));
    const lastStoredMsn = opened.resume.storedMsns.at(-1) ?? -1;
    const refetched = (gap: GapRecord) =>
      gap.reason !== 'outage' && listed.has(gap.fromMsn) && listed.has(gap.fromMsn + gap.count - 1) && (opened.playlist.endList || gap.fromMsn > lastStoredMsn);
    if (opened.resume.recording.gaps.some(refetched)) await store.removeGaps(id, refetched);
    return store.update(id, { status: 'recording', endedAtMs: null, lastError: null });
  }
  const sourceName = sourceNameFromUrl(request.url);
  const recording = await store.create({
    title: request.title?.trim() || defaultRecordingTitle(sourceName, nowMs),
    sourceName,
    sourceUrl: request.url,
    mediaPlaylistUrl: opened.mediaPlaylistUrl,
    startedAtMs: nowMs,
    ...(request.parentRecordingId && { parentRecordingId: request.parentRecordingId }),
    ...(opened.urlTemplate && { urlTemplate: opened.urlTemplate }),
    ...(request.timeRange && { timeRange: request.timeRange }),
  });
  if (opened.variant?.codecs.length) return store.update(recording.id, { codecs: opened.variant.codecs });
  return recording;
}

/**
 * Undoes {@link openRecording} when Stop came before capture began: a new recording is deleted
 * (nothing was captured), a resumed one gets back its status and end.
 */
export async function abandonRecording(store: RecordingStore, recording: Recording, opened: OpenedSource): Promise<void> {
  if (!opened.resume) return store.delete(recording.id);
  const { status, endedAtMs, lastError } = opened.resume.recording;
  await store.update(recording.id, { status, endedAtMs, lastError });
}
