/**
 * Tapedeck's one configuration module: one slice per part of the data flow, every
 * default documented with its unit and its user. Pass a partial object to
 * {@link resolveConfig} to override single values.
 */

/** Retry policy for transient failures (timeouts, HTTP 5xx, network errors). */
export interface RetryPolicy {
  /** Attempts in all, the first included. Default 5. */
  maxAttempts: number;
  /** Delay before the first retry, in milliseconds. Default 500. */
  initialDelayMs: number;
  /** Upper bound of any one delay, in milliseconds. Default 8000. */
  maxDelayMs: number;
  /** Growth of the delay from one retry to the next. Default 2. */
  backoffMultiplier: number;
  /**
   * Share of each delay that is random ("full jitter" over that share), 0..1. Default 0.5:
   * a delay of 1000 ms becomes 500..1000 ms, so tabs that failed together do not retry together.
   */
  jitterRatio: number;
}

/** Settings of the capture engine (src/capture). */
export interface CaptureConfig {
  /**
   * How many segments from the live edge a live recording starts with, as players do
   * (RFC 8216 section 6.3.3 advises three target durations from the end). Default 3.
   */
  liveEdgeSegmentCount: number;
  /** Time limit of one playlist request, in milliseconds. Default 10000. */
  playlistTimeoutMs: number;
  /**
   * Largest playlist accepted, in bytes; a larger (or endless) body is cancelled with a clear
   * error. A day of 2 s segments with 300-byte signed URLs is about 15 MB. Default 64 MiB.
   */
  maxPlaylistBytes: number;
  /** Time limit of one segment request, in milliseconds. Default 30000. */
  segmentTimeoutMs: number;
  /**
   * A live stream's segments are fetched one at a time, so one whose body stalls holds up the
   * next ones until they slide out of the playlist window. One attempt at a live segment is
   * therefore limited to this many times its duration (a recorder that needs longer cannot keep
   * up with the stream anyway), at least `liveSegmentMinTimeoutMs` and at most
   * `segmentTimeoutMs`. Default 2.
   */
  liveSegmentTimeoutRatio: number;
  /** The least time one attempt at a live segment gets, in milliseconds. Default 5000. */
  liveSegmentMinTimeoutMs: number;
  /** Retries of playlist loads. */
  playlistRetry: RetryPolicy;
  /**
   * How long a live stream's playlist may go on failing to reload, in milliseconds, before the
   * recording ends as interrupted: through an outage of the station, its CDN or this device's
   * network (timeouts, network errors, 5xx, 404/410), the playlist is loaded again and again
   * (each load with `playlistRetry`), and the segments that slid out of its window meanwhile
   * become gaps. Default 300000 (5 minutes).
   */
  liveOutageToleranceMs: number;
  /** Retries of segment loads (and of AES-128 key loads). */
  segmentRetry: RetryPolicy;
  /**
   * Segments of a VOD (a first playlist with EXT-X-ENDLIST, RFC 8216 section 4.3.3.4) fetched
   * at the same time. Live streams are always fetched one segment at a time, in order (see
   * `liveSegmentTimeoutRatio`). Default 6.
   */
  vodConcurrency: number;
  /**
   * Largest segment accepted, in bytes; a larger one (or an endless body) is cancelled and
   * recorded as a gap with reason `too-large`. Default 256 MiB.
   */
  maxSegmentBytes: number;
  /**
   * Bytes one segment fetch worker stores before a fresh one takes over and it is terminated,
   * which releases the browser's copies of the bodies it read (src/capture/segment-fetch-pool.ts):
   * capture's memory stays near this, whatever the recording's length. Default 32 MiB.
   */
  segmentWorkerRecycleBytes: number;
  /**
   * Most segments a URL template (numbered segments without a playlist) may list; also the
   * count tried when only "stop at the first 404" bounds it. Default 20000.
   */
  maxTemplateSegments: number;
}

/** Settings of export (src/export). */
export interface ExportConfig {
  /** Folder of the Origin Private File System that holds finished exports until downloaded. */
  opfsExportDirName: string;
  /**
   * How long a finished export stays in that folder after it was written, in ms: the browser
   * copies a download from it with no word when done, so it is removed only once this much
   * older (at the next export, or when the app starts). Default 3,600,000 (an hour).
   */
  finishedExportKeepMs: number;
  /**
   * Longest stretch of recording, in seconds, that ffmpeg.wasm transcodes at once: the export
   * feeds it one chunk at a time, so its memory is bounded by one chunk in and one out, whatever
   * the recording's length. Default 3600 s (an hour); `transcodeChunkBytes` usually ends a chunk first.
   */
  transcodeChunkSec: number;
  /**
   * Largest chunk given to ffmpeg.wasm at once, in bytes of stored segments for video, or of
   * 16-bit PCM for audio (it holds the chunk and its output in memory, and cannot address more
   * than 2 GB). Audio is encoded in overlapping chunks without seams
   * (src/export/transcode/aac-chunks.ts), and `loudnorm` gives every chunk the gain of the
   * whole recording. Default 32 MiB: about 100 s of 2.5 Mb/s video, or 3 min of 48 kHz stereo PCM.
   */
  transcodeChunkBytes: number;
  /**
   * Most 16-bit PCM one ffmpeg.wasm run decodes to, in bytes, for audio the browser cannot
   * decode (AC-3, E-AC-3: src/export/transcode/ffmpeg-audio-decoder.ts). The chunks overlap,
   * so their size leaves no trace in the audio; it bounds memory. Default 8 MiB: about 15 s of
   * 48 kHz 5.1, 44 s of stereo.
   */
  ffmpegDecodeChunkBytes: number;
  /** Where the app serves the ffmpeg.wasm core and the drawtext font (same origin). Default `/ffmpeg/`. */
  ffmpegBasePath: string;
  /**
   * Most demux workers an export without re-encoding starts (demuxing is most of a remux's
   * work); it starts one per logical core, up to this. The worker that muxes is mostly waiting
   * on them, so it takes no core of its own: on 2 cores, two demux workers exported
   * bench:export's 272 MB in 4.2-4.8 s against 4.9-5.4 s with one. Default 4.
   */
  demuxWorkerMaxCount: number;
  /**
   * Segments each demux worker may hold demuxed ahead of the muxer, which bounds the export's
   * memory to about `workers × this` segments. Default 1.
   */
  demuxAheadPerWorkerCount: number;
  /**
   * Bytes of an export's consecutive writes gathered before they go to the file together
   * (src/export/coalesced-writes.ts), in buffers that are reused. Default 8 MiB.
   */
  writeBufferBytes: number;
  /**
   * Frames (samples per channel) of decoded audio handed to an audio encoder at once, for MP3
   * and Opus exports: one encoder call per block. Default 48 000 (one second at 48 kHz).
   */
  audioBlockFrames: number;
  /**
   * Audio packets queued in the browser's decoder at most, so that it decodes while the encoder
   * encodes a block (src/export/audio-decode.ts). Default 64 (about 1.4 s of AAC at 48 kHz).
   */
  audioDecodeQueueCount: number;
}

/** Settings of scheduled capture (src/schedule). */
export interface ScheduleConfig {
  /**
   * Scheduled captures that may run at once in the scheduling tab (recordings started by hand
   * are not counted). Default 3.
   */
  maxConcurrentCaptures: number;
  /** A start later than this after the planned time is noted as late, in ms. Default 5000. */
  lateStartGraceMs: number;
  /** Most windows one schedule reports as missed at a time; older ones are summed up. Default 100. */
  missedWindowLimit: number;
  /** How often the scheduler compares the wall clock with the schedules, in ms. Default 1000. */
  tickIntervalMs: number;
  /**
   * Wait before a window whose capture could not start, or whose stream failed, is tried again,
   * in ms; it doubles after each failure up to {@link ScheduleConfig.retryMaxDelayMs}, and the
   * tries go on until the window ends. Default 15000.
   */
  retryDelayMs: number;
  /** Longest wait between two tries of a window, in ms. Default 120000. */
  retryMaxDelayMs: number;
}

/** Settings of the storage panel and retention (src/storage, src/ui/storage). */
export interface StorageConfig {
  /**
   * Shortest time between two refreshes of the usage and quota shown, in milliseconds; the
   * refresh follows the recording store's changes (a segment every few seconds). Default 1000.
   */
  estimateRefreshMinIntervalMs: number;
  /** Deletions the retention log keeps; the oldest are dropped first. Default 200. */
  retentionLogMaxEntries: number;
}

/** Settings of cameras: the live grid and continuous recording (src/cameras, src/ui/cameras). */
export interface CameraConfig {
  /** Wait before a camera's continuous recording starts again after it failed, in ms. Default 5000. */
  restartDelayMs: number;
  /**
   * How often continuous recording compares the wall clock with the end of the day (or part)
   * it records, in ms, besides a timer set for that instant: a timer alone comes late after the
   * machine sleeps. Default 10000.
   */
  splitCheckIntervalMs: number;
  /**
   * hls.js `liveSyncDurationCount` of grid tiles: how many target durations behind the live
   * edge a tile plays (low latency, yet no stall at each segment). Default 2.
   */
  tileLiveSyncSegmentCount: number;
  /**
   * How long a grid tile that was playing may go without new video (no fragment buffered and
   * the picture not advancing) before it loads the stream afresh, in ms. A camera that
   * reconnects often starts a new timeline (the relay does, after an outage) that hls.js does
   * not join by itself. Default 10000.
   */
  tileStallRestartMs: number;
  /** Tiles a grid page shows: 1, 4 or 9. Default 4. */
  gridTileCount: 1 | 4 | 9;
  /** Time limit of one request to the relay's API, in ms. Default 8000. */
  relayRequestTimeoutMs: number;
  /** How often the grid asks the relay for its cameras' status (live, reconnecting, offline), in ms. Default 5000. */
  relayStatusIntervalMs: number;
}

/** Settings of reviewing a camera's day (src/cameras/day-index.ts, src/ui/review). */
export interface ReviewConfig {
  /**
   * Largest break between two segments of a recording still drawn as one span on the day
   * timeline, in ms (clock jitter of EXT-X-PROGRAM-DATE-TIME). Default 1000.
   */
  spanJoinToleranceMs: number;
  /**
   * Shortest time between two rereads of the day shown while recordings change, in ms: a camera
   * stores a segment every few seconds and a day holds tens of thousands. Default 5000.
   */
  refreshMinIntervalMs: number;
}

/** The whole configuration, one slice per folder. */
export interface TapedeckConfig {
  capture: CaptureConfig;
  export: ExportConfig;
  schedule: ScheduleConfig;
  storage: StorageConfig;
  cameras: CameraConfig;
  review: ReviewConfig;
}

const defaultRetry: RetryPolicy = {
  maxAttempts: 5,
  initialDelayMs: 500,
  maxDelayMs: 8000,
  backoffMultiplier: 2,
  jitterRatio: 0.5,
};

/** Defaults of every setting. */
export const defaultConfig: TapedeckConfig = {
  capture: {
    liveEdgeSegmentCount: 3,
    playlistTimeoutMs: 10_000,
    maxPlaylistBytes: 64 * 1024 * 1024,
    segmentTimeoutMs: 30_000,
    liveSegmentTimeoutRatio: 2,
    liveSegmentMinTimeoutMs: 5000,
    playlistRetry: defaultRetry,
    liveOutageToleranceMs: 5 * 60 * 1000,
    segmentRetry: defaultRetry,
    vodConcurrency: 6,
    maxSegmentBytes: 256 * 1024 * 1024,
    segmentWorkerRecycleBytes: 32 * 1024 * 1024,
    maxTemplateSegments: 20_000,
  },
  export: {
    opfsExportDirName: 'exports',
    finishedExportKeepMs: 60 * 60 * 1000,
    transcodeChunkSec: 3600,
    transcodeChunkBytes: 32 * 1024 * 1024,
    ffmpegDecodeChunkBytes: 8 * 1024 * 1024,
    ffmpegBasePath: '/ffmpeg/',
    demuxWorkerMaxCount: 4,
    demuxAheadPerWorkerCount: 1,
    writeBufferBytes: 8 * 1024 * 1024,
    audioBlockFrames: 48_000,
    audioDecodeQueueCount: 64,
  },
  schedule: {
    maxConcurrentCaptures: 3,
    lateStartGraceMs: 5000,
    missedWindowLimit: 100,
    tickIntervalMs: 1000,
    retryDelayMs: 15_000,
    retryMaxDelayMs: 120_000,
  },
  storage: {
    estimateRefreshMinIntervalMs: 1000,
    retentionLogMaxEntries: 200,
  },
  cameras: {
    restartDelayMs: 5000,
    splitCheckIntervalMs: 10_000,
    tileLiveSyncSegmentCount: 2,
    tileStallRestartMs: 10_000,
    gridTileCount: 4,
    relayRequestTimeoutMs: 8000,
    relayStatusIntervalMs: 5000,
  },
  review: {
    spanJoinToleranceMs: 1000,
    refreshMinIntervalMs: 5000,
  },
};

/** A configuration with any slice partly given; what is missing takes its default. */
export type PartialConfig = { [K in keyof TapedeckConfig]?: Partial<TapedeckConfig[K]> };

/** Merges `overrides` over {@link defaultConfig}, one slice at a time. */
export function resolveConfig(overrides: PartialConfig = {}): TapedeckConfig {
  return {
    capture: { ...defaultConfig.capture, ...overrides.capture },
    export: { ...defaultConfig.export, ...overrides.export },
    schedule: { ...defaultConfig.schedule, ...overrides.schedule },
    storage: { ...defaultConfig.storage, ...overrides.storage },
    cameras: { ...defaultConfig.cameras, ...overrides.cameras },
    review: { ...defaultConfig.review, ...overrides.review },
  };
}
