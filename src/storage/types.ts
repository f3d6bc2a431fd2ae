/**
 * What Tapedeck stores in IndexedDB: one {@link Recording} per capture, and one
 * {@link SegmentRecord} per media segment of it.
 */

import type { RecordingTags } from '../schedule/types.ts';

/** Life cycle of a recording. `interrupted` ones stay playable and exportable. */
export type RecordingStatus = 'recording' | 'complete' | 'interrupted';

/** `audio` when the stream carries no video track. */
export type RecordingKind = 'audio' | 'video';

/**
 * Why segments are missing from a recording. `outage`: capture was paused, or the tab closed
 * or crashed, and the recording was resumed later; such a gap may count 0 segments (a live
 * stream whose numbering restarted) but always its seconds.
 */
export type GapReason = 'slid-out' | 'not-found' | 'http-error' | 'retries-exhausted' | 'key-unavailable' | 'too-large' | 'outage';

/** A run of segments the recording does not have, and why. */
export interface GapRecord {
  /** Media sequence number of the first missing segment (RFC 8216 section 4.3.3.2). */
  fromMsn: number;
  /** How many segments are missing. */
  count: number;
  /**
   * Their duration in seconds: from their EXTINF where a playlist listed them, else the
   * target duration for each.
   */
  durationSec: number;
  reason: GapReason;
  /** Wall-clock time the gap was noticed, in ms since the Unix epoch. */
  detectedAtMs: number;
}

/**
 * A part of a VOD to record, in seconds from the start of its media playlist (the sum of the
 * EXTINF durations before a segment, RFC 8216 section 4.3.2.1).
 */
export interface TimeRange {
  /** Start, in seconds from the VOD's start, ≥ 0. */
  startSec: number;
  /** End, in seconds from the VOD's start, > startSec; null: to the end. */
  endSec: number | null;
}

/**
 * Numbered segments of a site with no usable playlist: `url` with `(*)` where the
 * number goes, e.g. `https://example.com/show/seg(*).ts` with `padWidth` 5 and `firstNumber` 1
 * gives `seg00001.ts`, `seg00002.ts`, …
 */
export interface UrlTemplate {
  /** Absolute http(s) URL holding `(*)` once. */
  url: string;
  /** Digits the number is zero-padded to; 0 or 1: no padding. */
  padWidth: number;
  /** Number of the first segment, a whole number ≥ 0. */
  firstNumber: number;
  /** How many segments; null: worked out from `totalDurationSec`, or up to the first 404. */
  count: number | null;
  /** Duration of each segment, in seconds (the EXTINF written for each), > 0. */
  segmentDurationSec: number;
  /** Length of the whole programme, in seconds, to work out `count` when it is null. */
  totalDurationSec: number | null;
  /**
   * The segments end at the first one answering 404 or 410: no gap is recorded for it and
   * nothing after it is fetched. Needed when neither `count` nor `totalDurationSec` is known.
   */
  stopAtFirstMissing: boolean;
}

/** Metadata of one recording (the `recordings` store). */
export interface Recording {
  id: string;
  title: string;
  /** Name of the source, e.g. `Demo stream` or the stream's host name. */
  sourceName: string;
  /** The URL the user gave (a master or media playlist). */
  sourceUrl: string;
  /** The media playlist actually recorded (the chosen variant for a master playlist). */
  mediaPlaylistUrl: string;
  /** Wall clock at start, in ms since the Unix epoch. */
  startedAtMs: number;
  /** Wall clock at the end, in ms since the Unix epoch; null while recording. */
  endedAtMs: number | null;
  /** Sum of the stored segments' EXTINF durations, in seconds. */
  durationSec: number;
  /** Sum of the stored segments' sizes, in bytes. */
  bytes: number;
  segmentCount: number;
  /** Segments missing from the recording, all reasons together. */
  gapCount: number;
  /** Seconds missing from the recording, all reasons together. */
  gapSec: number;
  gaps: GapRecord[];
  /** RFC 6381 codec strings, e.g. `['avc1.64001f', 'mp4a.40.2']`; empty until known. */
  codecs: string[];
  /** null until the first segment has been probed. */
  kind: RecordingKind | null;
  status: RecordingStatus;
  /** The last error shown to the user, if the recording ended on one. */
  lastError: string | null;
  /** Tags for exported files; absent on recordings made before schedules existed. */
  tags?: RecordingTags;
  /** Set when a schedule made the recording. */
  /**
   * Set on an alternate rendition (EXT-X-MEDIA with its own URI, RFC 8216 section 4.3.4.1)
   * recorded alongside a main recording: the main recording's id. Such recordings are not listed
   * on their own; export merges them into their parent.
   */
  parentRecordingId?: string;
  /**
   * Set on a recording made from a URL template (no playlist): the template, so that the
   * recording can be resumed by listing its segments again.
   */
  urlTemplate?: UrlTemplate;
  /**
   * Set on a recording of part of a VOD (and on its alternate renditions): the part asked for,
   * so that resuming it fetches that part again and not the whole VOD.
   */
  timeRange?: TimeRange;
  /** Set on camera recordings: the camera's id (the `cameras` store). */
  cameraId?: string;
  /** Set on camera recordings: the local calendar day the recording covers, `YYYY-MM-DD`. */
  dayKey?: string;
  schedule?: {
    scheduleId: string;
    /** Planned start of the window, in ms since the Unix epoch. */
    plannedStartAtMs: number;
    /** How late capture started against the plan, in ms (0 when on time). */
    lateByMs: number;
  };
}

/** One media segment as fetched (the `segments` store, key `[recordingId, msn]`). */
export interface SegmentRecord {
  recordingId: string;
  /** Media sequence number (RFC 8216 section 4.3.3.2); unique within a recording. */
  msn: number;
  /** EXTINF duration, in seconds (RFC 8216 section 4.3.2.1). */
  durationSec: number;
  /** EXT-X-DISCONTINUITY before this segment (RFC 8216 section 4.3.2.3). */
  discontinuity: boolean;
  /**
   * The discontinuity sequence number the playlist gave the segment (RFC 8216 section 4.3.3.3);
   * absent on segments stored before it was kept, and on segments of a URL template.
   */
  discontinuitySequence?: number;
  /** EXT-X-PROGRAM-DATE-TIME of the segment, in ms since the Unix epoch, or null (section 4.3.2.6). */
  programDateTimeMs: number | null;
  /** Wall clock when the segment was stored, in ms since the Unix epoch. */
  storedAtMs: number;
  /** Size of `data`, in bytes. */
  byteLength: number;
  /** The segment's bytes as served, decrypted when the stream was AES-128 encrypted. */
  data: Blob;
  /**
   * For fMP4/CMAF segments: the id of the init section (the `initSections` store) they need,
   * from the EXT-X-MAP in force (RFC 8216 section 4.3.2.5). Absent for MPEG-TS and packed audio.
   */
  initSectionId?: number;
}

/** An fMP4 init section (EXT-X-MAP), stored once per change (`initSections`, key `[recordingId, initSectionId]`). */
export interface InitSectionRecord {
  recordingId: string;
  /** 0 for the first init section of a recording, one more for each change. */
  initSectionId: number;
  /** The init section's bytes (ftyp + moov). */
  data: Blob;
}

/** Where a camera's stream comes from: any HLS URL, or a camera of the Tapedeck relay (RTSP in, HLS out). */
export type CameraSourceKind = 'hls' | 'relay';

/** Whether the app records a camera all the time (`continuous`) or only shows it (`off`). */
export type CameraRecordMode = 'continuous' | 'off';

/**
 * How much of a camera's recordings to keep; either limit, both, or neither (keep all). The
 * oldest days go first; the day being recorded is never deleted.
 */
export interface CameraRetention {
  /** Days of recordings kept, today included (1 keeps today only); whole days, at least 1. */
  days?: number;
  /** Most bytes the camera's recordings may take together; the day being recorded always stays. */
  bytes?: number;
}

/**
 * A camera the app records (the `cameras` store): a relay camera or any HLS camera stream.
 * Fields after `streamUrl` are optional in storage (records written by tests or older code may
 * lack them); src/cameras/camera-store.ts fills in the defaults noted on each when it reads.
 */
export interface CameraRecord {
  id: string;
  name: string;
  /** HLS URL the app plays and records (a relay `stream_url` or any HLS camera). */
  streamUrl: string;
  /** Default `hls`. */
  source?: CameraSourceKind;
  /** For `source: 'relay'`: the camera's id in the relay's API (`/api/cameras/{id}`). */
  relayCameraId?: string;
  /** Default `off`. */
  recordMode?: CameraRecordMode;
  /**
   * Length of one recording, in hours: 24 (default) makes one recording per local calendar day,
   * split at local midnight; a divisor of 24 (1, 2, 3, 4, 6, 8, 12) splits each day into that
   * many hours from local midnight (a DST day's last part is an hour shorter or longer).
   */
  splitEveryHours?: number;
  /** Default `{}` (keep everything). */
  retention?: CameraRetention;
  /** Wall clock when the camera was added, in ms since the Unix epoch; orders the grid. Default 0. */
  createdAtMs?: number;
  [field: string]: unknown;
}
