import Hls from 'hls.js';

/** hls.js retries of one request in a tile: two, 0.5 s then 1 s apart. */
const TILE_RETRY = { maxNumRetry: 2, retryDelayMs: 500, maxRetryDelayMs: 2000 };
/** hls.js load policy of tiles: 10 s to the first byte, 20 s to load, {@link TILE_RETRY}. */
const TILE_LOAD_POLICY = { default: { maxTimeToFirstByteMs: 10_000, maxLoadTimeMs: 20_000, timeoutRetry: TILE_RETRY, errorRetry: TILE_RETRY } };

/** What a grid tile's player shows about its camera. */
export type TilePlaybackState = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** Options of {@link attachTilePlayer}. */
export interface TilePlayerOptions {
  /** hls.js `liveSyncDurationCount`: target durations behind the live edge (config `cameras.tileLiveSyncSegmentCount`). */
  liveSyncSegmentCount: number;
  /** Wait before a player that failed loads the stream again, in ms (config `cameras.restartDelayMs`). */
  retryDelayMs: number;
  /**
   * How long a player that was live may go without new video before it loads the stream again,
   * in ms (config `cameras.tileStallRestartMs`). Not counted while the page is hidden.
   */
  stallRestartMs: number;
  /** Gets the playback state and, when offline or reconnecting, why. */
  onState: (state: TilePlaybackState, message: string) => void;
}

/** How often a tile checks whether its picture still moves, in ms. */
const STALL_CHECK_INTERVAL_MS = 1000;

/**
 * Plays a camera's live HLS stream muted in `video` with hls.js, tuned for a grid of many
 * tiles: close to the live edge, a short forward buffer and no back buffer, so each tile costs
 * little memory. It reports `live` once media is buffered, `reconnecting` on a network error
 * hls.js retries, and `offline` on a fatal one, after which it loads the stream again every
 * `retryDelayMs` (still `offline` meanwhile) until it plays or is detached.
 *
 * A player that was live and then goes `stallRestartMs` with no fragment buffered and the
 * picture standing still while it should play (page visible, video not paused) reports `reconnecting` and loads the stream afresh:
 * after a camera's outage the relay starts a new session whose playlist continues the media
 * sequence numbers but not the old timeline, and hls.js, waiting at the old buffer end, never
 * loads a fragment of it (seen in tests/e2e/cameras-relay-review.spec.ts).
 * @returns a teardown that destroys the player (no hls.js instance is left) and its timers.
 * @throws Error when the browser has no Media Source Extensions (hls.js cannot run).
 */
export function attachTilePlayer(video: HTMLVideoElement, url: string, options: TilePlayerOptions): () => void {
  if (!Hls.isSupported()) throw new Error('This browser cannot play HLS streams in the grid (no Media Source Extensions).');
  video.muted = true;
  let hls: Hls | null = null;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let detached = false;
  /** Since when the current player has shown no progress, once it has been live; null before. */
  let progressAtMs: number | null = null;
  let lastCurrentTimeSec = -1;
  const start = (first: boolean) => {
    progressAtMs = null;
    const player = new Hls({
      liveSyncDurationCount: options.liveSyncSegmentCount,
      liveMaxLatencyDurationCount: options.liveSyncSegmentCount + 3,
      maxBufferLength: 6,
      backBufferLength: 0,
      lowLatencyMode: true,
      enableWorker: true,
      // A tile gives up on a dead camera in seconds (then shows Offline and tries again itself),
      // rather than after hls.js's default minute of retries.
      manifestLoadPolicy: TILE_LOAD_POLICY,
      playlistLoadPolicy: TILE_LOAD_POLICY,
      fragLoadPolicy: TILE_LOAD_POLICY,
    });
    hls = player;
    // After a fatal error the tile stays `offline` while it tries again, until media flows.
    if (first) options.onState('connecting', '');
    player.on(Hls.Events.FRAG_BUFFERED, () => {
      progressAtMs = Date.now();
      options.onState('live', '');
    });
    player.on(Hls.Events.ERROR, (_event, data) => {
      const reason = `${data.details}${data.response?.code ? ` (HTTP ${data.response.code})` : ''}`;
      if (!data.fatal) {
        if (data.type === Hls.ErrorTypes.NETWORK_ERROR) options.onState('reconnecting', reason);
        return;
      }
      player.destroy();
      hls = null;
      options.onState('offline', reason);
      retry = setTimeout(() => {
        retry = null;
        if (!detached) start(false);
      }, options.retryDelayMs);
    });
    player.loadSource(url);
    player.attachMedia(video);
    void video.play().catch(() => undefined);
  };
  start(true);
  const watchdog = setInterval(() => {
    if (hls === null || progressAtMs === null) return;
    const nowMs = Date.now();
    // A hidden page or a paused picture (autoplay refused) is not a stall.
    if (document.hidden || video.paused || video.currentTime !== lastCurrentTimeSec) {
      lastCurrentTimeSec = video.currentTime;
      progressAtMs = nowMs;
      return;
    }
    if (nowMs - progressAtMs < options.stallRestartMs) return;
    hls.destroy();
    hls = null;
    options.onState('reconnecting', `no new video for ${Math.round(options.stallRestartMs / 1000)} s`);
    start(false);
  }, STALL_CHECK_INTERVAL_MS);
  return () => {
    detached = true;
    clearInterval(watchdog);
    if (retry) clearTimeout(retry);
    hls?.destroy();
    hls = null;
  };
}
