/**
 * Settings of the camera pipelines (`cameras/`), every default with its unit and its user.
 * Pass a partial object to {@link resolveCameraStreamsConfig} to override single values.
 */

/** Settings of {@link createCameraStreams} and each camera stream. */
export interface CameraStreamsConfig {
  /** EXT-X-TARGETDURATION of the live playlists, in seconds; segments are cut on the first keyframe after it. Default 2. */
  targetDurationSec: number;
  /** Segments each live playlist lists (the sliding window); older ones are freed. Default 6. */
  liveSegmentCount: number;
  /** A camera whose files nobody asked for in this long is stopped (RTSP TEARDOWN), in ms. Default 60000. */
  idleStopMs: number;
  /** Longest wait of a first request for the playlist to appear, in ms. Default 20000. */
  firstPlaylistTimeoutMs: number;
  /** No RTP packet for this long counts as a dropped camera (then reconnect), in ms. Default 10000. */
  stallTimeoutMs: number;
  /** Time limit of one RTSP request, in ms. Default 10000. */
  requestTimeoutMs: number;
  /** Delay before the first reconnect, in ms; doubled each further failure. Default 1000. */
  reconnectInitialDelayMs: number;
  /** Cap of the reconnect delay, in ms. Default 30000. */
  reconnectMaxDelayMs: number;
  /** Share of each delay that is random, 0..1 ("full jitter" over that share). Default 0.5. */
  reconnectJitterRatio: number;
  /** Failed attempts in a row after which the camera shows `offline` (it keeps retrying at the capped delay). Default 3. */
  offlineAfterFailures: number;
  /**
   * Wait before trying a camera again after it refused the user name and password (or asked
   * for some), in ms; it shows `offline` meanwhile. Cameras lock an account after a few failed
   * logins (Dahua after 5, Hikvision after 7, for about 30 min), so a wrong password is not
   * tried at the reconnect delay. Editing the camera tries at once. Default 600000 (10 min).
   */
  authRetryDelayMs: number;
  /** Window over which `bitrateBps` is averaged, in ms. Default 5000. */
  bitrateWindowMs: number;
}

/** The defaults of {@link CameraStreamsConfig}. */
export const CAMERA_STREAMS_DEFAULTS: Readonly<CameraStreamsConfig> = {
  targetDurationSec: 2,
  liveSegmentCount: 6,
  idleStopMs: 60_000,
  firstPlaylistTimeoutMs: 20_000,
  stallTimeoutMs: 10_000,
  requestTimeoutMs: 10_000,
  reconnectInitialDelayMs: 1_000,
  reconnectMaxDelayMs: 30_000,
  reconnectJitterRatio: 0.5,
  offlineAfterFailures: 3,
  authRetryDelayMs: 600_000,
  bitrateWindowMs: 5_000,
};

/**
 * The defaults with `overrides` applied.
 * @throws RangeError naming the setting when a value is not a positive number (jitter: 0..1).
 */
export function resolveCameraStreamsConfig(overrides: Partial<CameraStreamsConfig> = {}): CameraStreamsConfig {
  const config = { ...CAMERA_STREAMS_DEFAULTS, ...overrides };
  for (const [name, value] of Object.entries(config)) {
    const ok = name === 'reconnectJitterRatio' ? value >= 0 && value <= 1 : Number.isFinite(value) && value > 0;
    if (!ok) throw new RangeError(`Camera setting ${name} must be ${name === 'reconnectJitterRatio' ? 'from 0 to 1' : 'a positive number'}, got ${value}`);
  }
  return config;
}

/**
 * Delay before reconnect attempt number `failures` (1 for the first): capped exponential
 * backoff with jitter, in ms.
 * @param random A number in [0, 1), `Math.random()` by default.
 */
export function reconnectDelayMs(config: CameraStreamsConfig, failures: number, random: number = Math.random()): number {
  const exponentialMs = Math.min(config.reconnectMaxDelayMs, config.reconnectInitialDelayMs * 2 ** Math.max(0, failures - 1));
  return Math.round(exponentialMs * (1 - config.reconnectJitterRatio * random));
}
