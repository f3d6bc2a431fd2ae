import type { RtspPlayback, RtspPlayOptions } from '../rtsp/types.ts';
import type { CameraConfig, CameraHlsFile, CameraState, CameraStatus } from './types.ts';
import type { Logger } from '../log.ts';
import { redactUrlPasswords } from '../log.ts';
import { RtspAuthError } from '../rtsp/errors.ts';
import { reconnectDelayMs, type CameraStreamsConfig } from './config.ts';
import { MediaPipeline, UnsupportedCameraError, chooseTracks } from './media-pipeline.ts';

/** The RTSP client's entry point, as {@link CameraStream} calls it (`playRtsp` of `rtsp/client.ts`). */
export type PlayRtsp = (url: string, options: RtspPlayOptions & { mediaTimeoutMs?: number }) => Promise<RtspPlayback>;

/** What a camera stream needs from its owner. */
export interface CameraStreamDeps {
  playRtsp: PlayRtsp;
  logger: Logger;
  config: CameraStreamsConfig;
  /** A new media playlist was written (benchmarks measure latency with it). */
  onPlaylist?: (cameraId: string, text: string) => void;
}

/** Waits `ms`, or less when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/**
 * One camera's pipeline: RTSP session (via `playRtsp`) -> {@link MediaPipeline} -> live HLS in
 * memory. It starts on demand ({@link getFile}), stops after `idleStopMs` without requests,
 * and while running reconnects with capped exponential backoff and jitter whenever the
 * session ends (connection lost, no packet for `stallTimeoutMs`, refused). Status: state,
 * bitrate, packets lost and loss rate (RFC 3550 A.3, from the RTSP client), last error with
 * passwords removed, and the audio codec dropped because HLS in browsers cannot carry it.
 */
export class CameraStream {
  private state: CameraState;
  private lastError: string | null = null;
  private droppedAudioCodec: string | null = null;
  private droppedAudioLogged = false;
  private run: { abort: AbortController; done: Promise<void> } | null = null;
  private pipeline: MediaPipeline | null = null;
  /**
   * The last session's pipeline after a reconnect, stopped but still serving its files (see
   * {@link retire}), and the timer that frees them.
   */
  private retired: { pipeline: MediaPipeline; timer: NodeJS.Timeout } | null = null;
  private playback: RtspPlayback | null = null;
  private lastActivityMs = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  /** Bytes received per second of arrival, for the bitrate. */
  private readonly bytesBySecond = new Map<number, number>();
  /** Where the next session's playlist goes on: media sequence number and sessions so far that produced a playlist. */
  private nextMediaSequence = 0;
  private playlistSessions = 0;
  /** Loss totals of the sessions that ended, added to the current session's. */
  private pastLost = 0;
  private pastReceived = 0;

  constructor(private config: CameraConfig, private readonly deps: CameraStreamDeps) {
    this.state = config.enabled ? 'idle' : 'disabled';
  }

  /** The camera as configured now. */
  get camera(): CameraConfig {
    return this.config;
  }

  /** Bytes the live HLS files hold in memory, the last session's kept files included. */
  get bytesHeld(): number {
    return (this.pipeline?.bytesHeld ?? 0) + (this.retired?.pipeline.bytesHeld ?? 0);
  }

  /** The camera's settings changed: a running stream restarts when the URL or transport changed, and stops when disabled. */
  async update(config: CameraConfig): Promise<void> {
    const previous = this.config;
    this.config = config;
    if (!config.enabled) {
      await this.stop();
      this.state = 'disabled';
      return;
    }
    if (this.state === 'disabled') this.state = 'idle';
    if (this.run !== null && (previous.rtspUrl !== config.rtspUrl || previous.transport !== config.transport)) {
      await this.stop();
      // A player may have asked for the camera while the old session ended: it started the new one.
      this.start();
    }
  }

  /** The camera's status now. */
  status(): CameraStatus {
    let lost = this.pastLost;
    let received = this.pastReceived;
    const playback = this.playback;
    if (playback !== null) {
      for (let i = 0; i < playback.tracks.length; i += 1) {
        const stats = playback.stats(i);
        lost += Math.max(0, stats.packetsLost);
        received += stats.packetsReceived;
      }
    }
    return {
      state: this.state,
      bitrateBps: this.bitrateBps(),
      packetsLost: lost,
      lossRate: received + lost === 0 ? 0 : lost / (received + lost),
      lastError: this.lastError,
      droppedAudioCodec: this.droppedAudioCodec,
    };
  }

  /**
   * A file of the live HLS (`index.m3u8`, `init-<tag>.mp4`, `segment-<tag>-<n>.m4s`). Starts the camera when
   * it is idle and counts as activity; the playlist waits up to `firstPlaylistTimeoutMs` for a
   * first segment. After a reconnect the last session's files stay served for a while (see
   * {@link retire}), its playlist too until the new session has one.
   * @returns null when the camera is disabled, the file is unknown or gone, the playlist did
   *   not appear in time (see the status' `lastError`), or `signal` aborted.
   */
  async getFile(path: string, signal: AbortSignal): Promise<CameraHlsFile | null> {
    if (!this.config.enabled) return null;
    this.lastActivityMs = Date.now();
    if (this.run === null) this.start();
    const file = this.pipeline?.getFile(path) ?? this.retired?.pipeline.getFile(path) ?? null;
    if (file !== null || path !== 'index.m3u8') return file;
    const deadline = Date.now() + this.deps.config.firstPlaylistTimeoutMs;
    while (!signal.aborted && Date.now() < deadline && this.run !== null) {
      const found = this.pipeline?.getFile(path) ?? null;
      if (found !== null) return found;
      await pause(Math.min(100, deadline - Date.now()), signal);
    }
    return null;
  }

  /** Stops the session (TEARDOWN) and frees the files; the camera goes back to `idle` (or stays `disabled`). */
  async stop(): Promise<void> {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const run = this.run;
    if (run === null) return;
    this.run = null;
    run.abort.abort();
    await run.done;
    await this.releaseRetired();
    // Unless a player asked for the camera meanwhile, and a new session is under way.
    if (this.run === null && this.state !== 'disabled') this.state = this.config.enabled ? 'idle' : 'disabled';
  }

  /** Starts a session loop, unless one runs: there is never more than one, so stop() ends it. */
  private start(): void {
    if (this.run !== null) return;
    const abort = new AbortController();
    this.state = 'connecting';
    this.lastError = null;
    this.armIdleTimer();
    const done = this.loop(abort.signal).catch((error: unknown) => {
      this.deps.logger.error({ err: error, cameraId: this.config.id }, 'camera loop failed');
    });
    this.run = { abort, done };
  }

  private armIdleTimer(): void {
    const remainingMs = this.lastActivityMs + this.deps.config.idleStopMs - Date.now();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.run === null) return;
      if (Date.now() - this.lastActivityMs >= this.deps.config.idleStopMs) {
        this.deps.logger.info({ cameraId: this.config.id, idleStopMs: this.deps.config.idleStopMs }, 'camera stopped: no player or recorder asked for it');
        void this.stop();
      } else this.armIdleTimer();
    }, Math.max(50, remainingMs));
    this.idleTimer.unref();
  }

  /** Sessions one after another until aborted, with backoff between failures. */
  private async loop(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      const outcome = await this.session(signal);
      if (signal.aborted) break;
      failures = outcome.wentLive ? 1 : failures + 1;
      this.lastError = redactUrlPasswords(outcome.error?.message ?? 'The camera ended the session');
      if (outcome.error instanceof UnsupportedCameraError) {
        this.state = 'offline';
        this.deps.logger.warn({ cameraId: this.config.id, error: this.lastError }, 'camera cannot be packaged; not retrying until its settings change');
        return;
      }
      if (outcome.error instanceof RtspAuthError) {
        // Another try at the reconnect delay would lock the camera's account: wait long.
        this.state = 'offline';
        this.deps.logger.warn({ cameraId: this.config.id, error: this.lastError, delayMs: this.deps.config.authRetryDelayMs }, 'camera refused the credentials; trying again later');
        await pause(this.deps.config.authRetryDelayMs, signal);
        continue;
      }
      this.state = failures >= this.deps.config.offlineAfterFailures ? 'offline' : 'reconnecting';
      const delayMs = reconnectDelayMs(this.deps.config, failures);
      this.deps.logger.warn({ cameraId: this.config.id, error: this.lastError, failures, delayMs }, 'camera session ended; reconnecting');
      await pause(delayMs, signal);
    }
  }

  /** One RTSP session: resolves when it ends, with why and whether it got as far as playing. */
  private async session(signal: AbortSignal): Promise<{ wentLive: boolean; error: Error | null }> {
    let closed!: (error: Error | null) => void;
    const closedPromise = new Promise<Error | null>((resolve) => (closed = resolve));
    let pipeline: MediaPipeline | null = null;
    let playback: RtspPlayback | null = null;
    // Live once media comes, not at PLAY: a camera whose packets never arrive (UDP blocked by a
    // firewall) counts as failing, and shows offline after a few tries.
    let playing = false;
    let gotMedia = false;
    const goLive = (): void => {
      this.state = 'live';
      this.lastError = null;
    };
    try {
      playback = await this.deps.playRtsp(this.config.rtspUrl, {
        transport: this.config.transport,
        requestTimeoutMs: this.deps.config.requestTimeoutMs,
        mediaTimeoutMs: this.deps.config.stallTimeoutMs,
        signal,
        selectTracks: (tracks) => {
          const choice = chooseTracks(tracks);
          this.noteDroppedAudio(choice.droppedAudioCodec);
          const selected = choice.audio === null ? [choice.video] : [choice.video, choice.audio];
          pipeline = new MediaPipeline(selected, 0, choice.audio === null ? -1 : 1, {
            targetDurationSec: this.deps.config.targetDurationSec,
            maxSegmentCount: this.deps.config.liveSegmentCount,
            mediaSequenceOffset: this.nextMediaSequence,
            discontinuitySequence: this.playlistSessions,
            onError: (error) => closed(error),
            onPlaylist: (text) => this.deps.onPlaylist?.(this.config.id, text),
          });
          return selected;
        },
        onPacket: (trackIndex, packet) => {
          if (!gotMedia) {
            gotMedia = true;
            if (playing) goLive();
          }
          this.countBytes(packet.payload.length);
          const wallClockMs = playback?.wallClockMs(trackIndex, packet.timestamp) ?? Date.now();
          pipeline?.push(trackIndex, packet, wallClockMs);
        },
        onClose: (error) => closed(error),
      });
    } catch (error) {
      await (pipeline as MediaPipeline | null)?.close();
      return { wentLive: false, error: error instanceof Error ? error : new Error(String(error)) };
    }
    this.playback = playback;
    this.pipeline = pipeline;
    playing = true;
    if (gotMedia) goLive();
    const abortClose = (): void => closed(null);
    signal.addEventListener('abort', abortClose, { once: true });
    const error = await closedPromise;
    signal.removeEventListener('abort', abortClose);
    for (let i = 0; i < playback.tracks.length; i += 1) {
      const stats = playback.stats(i);
      this.pastLost += Math.max(0, stats.packetsLost);
      this.pastReceived += stats.packetsReceived;
    }
    this.playback = null;
    await playback.teardown().catch(() => undefined);
    const ended = pipeline as MediaPipeline | null;
    if (ended !== null && ended.hasPlaylist) {
      this.nextMediaSequence = ended.nextMediaSequence;
      this.playlistSessions += 1;
    }
    this.pipeline = null;
    if (ended !== null && ended.hasPlaylist && !signal.aborted) await this.retire(ended);
    else await ended?.close();
    return { wentLive: gotMedia, error };
  }

  /**
   * Keeps an ended session's files served for as long as its playlist lasts, one target
   * duration more ((segments + 1) x target duration): a player or recorder that loaded that
   * playlist just before the session ended can still fetch every segment it lists (RFC 8216
   * section 6.2.2), and reloading the playlist meanwhile answers at once with the last one.
   * The files of a session before it are freed now.
   */
  private async retire(pipeline: MediaPipeline): Promise<void> {
    await this.releaseRetired();
    await pipeline.stop();
    const keepMs = (this.deps.config.liveSegmentCount + 1) * (pipeline.targetDurationSec ?? this.deps.config.targetDurationSec) * 1000;
    const timer = setTimeout(() => {
      if (this.retired?.pipeline !== pipeline) return;
      this.retired = null;
      void pipeline.close();
    }, keepMs);
    timer.unref();
    this.retired = { pipeline, timer };
  }

  /** Frees the last session's kept files, if any. */
  private async releaseRetired(): Promise<void> {
    const retired = this.retired;
    if (retired === null) return;
    this.retired = null;
    clearTimeout(retired.timer);
    await retired.pipeline.close();
  }

  private noteDroppedAudio(codec: string | null): void {
    this.droppedAudioCodec = codec;
    if (codec !== null && !this.droppedAudioLogged) {
      this.droppedAudioLogged = true;
      this.deps.logger.warn({ cameraId: this.config.id, codec }, `camera audio ${codec} dropped: HLS in browsers cannot carry it; video continues`);
    }
  }

  private countBytes(bytes: number): void {
    const second = Math.floor(Date.now() / 1000);
    this.bytesBySecond.set(second, (this.bytesBySecond.get(second) ?? 0) + bytes);
    if (this.bytesBySecond.size > 2 * Math.ceil(this.deps.config.bitrateWindowMs / 1000) + 2) {
      for (const key of this.bytesBySecond.keys()) if (key < second - Math.ceil(this.deps.config.bitrateWindowMs / 1000)) this.bytesBySecond.delete(key);
    }
  }

  /** Bits per second over the last `bitrateWindowMs` of whole seconds. */
  private bitrateBps(): number {
    const windowSec = Math.max(1, Math.round(this.deps.config.bitrateWindowMs / 1000));
    const now = Math.floor(Date.now() / 1000);
    let bytes = 0;
    for (let second = now - windowSec; second < now; second += 1) bytes += this.bytesBySecond.get(second) ?? 0;
    return Math.round((bytes * 8) / windowSec);
  }
}
