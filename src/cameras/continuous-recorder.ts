import type { CaptureConfig } from '../config.ts';
import { AbortedError } from '../capture/errors.ts';
import { describeProblem, HlsRecorder, type RecordRequest, type RecorderEnvironment } from '../capture/hls-recorder.ts';
import { TypedEventTarget } from '../events.ts';
import type { NewRecording, RecordingStore } from '../storage/recording-store.ts';
import type { Recording } from '../storage/types.ts';
import type { Camera } from './camera-store.ts';
import { waitForWallClock } from '../schedule/wall-clock.ts';
import { periodAt, periodTitle, type RecordingPeriod } from './local-day.ts';

/**
 * Where the continuous recording of one camera is. `interrupted`: capture runs, but the stream
 * has brought no new segment for three target durations (it froze, or its playlist fails to
 * load and is being loaded again); back to `recording` when segments flow again.
 */
export type CameraCaptureState = 'starting' | 'recording' | 'interrupted' | 'retrying' | 'stopped';

/** What a camera's continuous recording shows in the grid. */
export interface CameraCaptureStatus {
  cameraId: string;
  state: CameraCaptureState;
  /** The recording being made (or last made), or null before the first one started. */
  recordingId: string | null;
  /** Why capture is interrupted or retrying, for the user; '' otherwise. */
  message: string;
}

/** Events of {@link CameraCapture}. */
export interface CameraCaptureEvents {
  status: CameraCaptureStatus;
  /** A period's recording started (or was resumed). */
  'recording-started': { recording: Recording; period: RecordingPeriod; resumed: boolean };
  /** A period ended and its recording was stopped; the next one starts at once. */
  split: { recording: Recording | null; period: RecordingPeriod };
}

/** Options of {@link CameraCapture}. */
export interface CameraCaptureOptions {
  captureConfig: CaptureConfig;
  /** Wait before capture starts again after it failed or the stream ended, in ms. */
  restartDelayMs: number;
  /**
   * How often the wall clock is compared with the end of the period recorded, in ms (config
   * `cameras.splitCheckIntervalMs`): the split is late by at most about this after the machine
   * slept or the clock was set.
   */
  splitCheckIntervalMs: number;
  /** Wall clock, in ms since the Unix epoch; tests shift it to just before a split. */
  now?: () => number;
}

/** The request the recorder takes, with the resume field of the capture engine (RecordRequest.resumeRecordingId). */
type ResumableRequest = RecordRequest & { resumeRecordingId?: string };

/**
 * A {@link RecordingStore} whose `create` stamps new recordings with the camera and day, so a
 * recording is never stored without them (not even for the moment between two writes).
 * Everything else goes to `store` itself.
 */
function storeStampingCameraDay(store: RecordingStore, stamp: { cameraId: string; dayKey: string }): RecordingStore {
  return new Proxy(store, {
    get(target, property) {
      if (property === 'create') return (init: NewRecording) => target.create({ ...init, ...stamp });
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * The recording of a camera for `period` to resume, if it already has one: the day's recording
 * (or the part's, for split days) made from the same stream URL. A camera whose URL changed
 * (another camera, a new relay token) starts a new recording instead, as resuming reloads the
 * stored URL.
 */
export async function findPeriodRecording(store: RecordingStore, camera: Pick<Camera, 'id' | 'streamUrl'>, period: RecordingPeriod): Promise<Recording | undefined> {
  const all = await store.list();
  return all.find(
    (r) => r.cameraId === camera.id && r.dayKey === period.dayKey && !r.parentRecordingId && r.sourceUrl === camera.streamUrl && r.startedAtMs >= period.startMs && r.startedAtMs < period.endMs,
  );
}

/**
 * Records one camera all the time into one recording per period (a local calendar day, or a
 * part of one: see {@link periodAt}), titled `<camera> — <date>` and carrying `cameraId` and
 * `dayKey`. At a period's end the recording is stopped and the next one started at once. A
 * period's recording that already exists (the tab reloaded or crashed, or recording was turned
 * off and on) is resumed with `resumeRecordingId`, so the outage shows as a gap in it. When
 * capture fails or the stream ends, it starts again after `restartDelayMs`, resuming the same
 * recording.
 *
 * Life cycle: `start()` once, `stop()` once; `stop()` resolves when the last recording is stored
 * as ended.
 */
export class CameraCapture extends TypedEventTarget<CameraCaptureEvents> {
  private readonly abort = new AbortController();
  private recorder: HlsRecorder | null = null;
  private running: Promise<void> | null = null;
  private current: CameraCaptureStatus;
  private readonly now: () => number;

  constructor(
    readonly camera: Camera,
    private readonly store: RecordingStore,
    private readonly options: CameraCaptureOptions,
  ) {
    super();
    this.now = options.now ?? (() => Date.now());
    this.current = { cameraId: camera.id, state: 'starting', recordingId: null, message: '' };
  }

  /** The latest status. */
  get status(): CameraCaptureStatus {
    return this.current;
  }

  /**
   * Starts recording.
   * @throws RangeError when called twice.
   */
  start(): void {
    if (this.running) throw new RangeError('This camera capture has already started.');
    this.running = this.loop();
  }

  /** Stops recording; resolves once the recording in progress is stored as ended. Never rejects. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.recorder?.stop().catch(() => null);
    await this.running;
    this.setStatus({ state: 'stopped', message: '' });
  }

  private async loop(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const period = periodAt(this.now(), this.camera.splitEveryHours);
      const outcome = await this.recordPeriod(period).catch((error: unknown) => {
        if (error instanceof AbortedError || signal.aborted) return 'stopped' as const;
        this.setStatus({ state: 'retrying', message: describeProblem(error, true).message });
        return 'failed' as const;
      });
      if (outcome === 'failed' || outcome === 'ended') await this.wait(this.options.restartDelayMs);
    }
  }

  /**
   * Records `period` until it ends (`split`), capture stops by itself (`ended`, the status says
   * why) or `stop()` is called (`stopped`).
   * @throws what HlsRecorder.start throws.
   */
  private async recordPeriod(period: RecordingPeriod): Promise<'split' | 'ended' | 'stopped'> {
    const existing = await findPeriodRecording(this.store, this.camera, period);
    const recorder = new HlsRecorder(storeStampingCameraDay(this.store, { cameraId: this.camera.id, dayKey: period.dayKey }), this.options.captureConfig, this.recorderEnvironment());
    this.recorder = recorder;
    let lastProblem = '';
    recorder.on('problem', (problem) => {
      if (problem.fatal) lastProblem = problem.message;
    });
    // The recorder waits out a frozen stream, or one whose playlist fails to load, for a while
    // (capture.liveOutageToleranceMs): the grid says so meanwhile.
    recorder.on('stall', (stall) => {
      if (stall.stalled) this.setStatus({ state: 'interrupted', message: stall.message });
      else if (this.current.state === 'interrupted') this.setStatus({ state: 'recording', message: '' });
    });
    this.setStatus({ state: 'starting', recordingId: existing?.id ?? this.current.recordingId });
    const request: ResumableRequest = { url: this.camera.streamUrl, title: periodTitle(this.camera.name, period, this.camera.splitEveryHours) };
    if (existing) request.resumeRecordingId = existing.id;
    if (this.abort.signal.aborted) return 'stopped';
    const stopOnAbort = () => void recorder.stop().catch(() => null);
    this.abort.signal.addEventListener('abort', stopOnAbort, { once: true });
    // Ends the wait for the period's end when capture ends first, or is stopped.
    const periodDone = new AbortController();
    try {
      const recording = await recorder.start(request);
      this.setStatus({ state: 'recording', recordingId: recording.id, message: '' });
      this.emit('recording-started', { recording, period, resumed: existing?.id === recording.id });
      // The wall clock decides, not a timer alone: after the machine sleeps through midnight,
      // the new day's recording starts when it wakes, not hours later.
      const periodEnd = waitForWallClock(period.endMs, { now: this.now, checkIntervalMs: this.options.splitCheckIntervalMs, signal: AbortSignal.any([this.abort.signal, periodDone.signal]) });
      const outcome = await Promise.race([recorder.done.then(() => 'ended' as const), periodEnd.then(() => 'split' as const)]);
      if (this.abort.signal.aborted) return 'stopped';
      if (outcome === 'split') {
        const ended = await recorder.stop();
        this.emit('split', { recording: ended, period });
        return 'split';
      }
      this.setStatus({ state: 'retrying', message: lastProblem || 'The camera stream ended; trying again.' });
      return 'ended';
    } finally {
      periodDone.abort();
      this.abort.signal.removeEventListener('abort', stopOnAbort);
    }
  }

  private recorderEnvironment(): RecorderEnvironment {
    return { now: this.now, random: Math.random };
  }

  /** Waits `ms`, or less when stopped. */
  private wait(ms: number): Promise<void> {
    const signal = this.abort.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(id);
        resolve();
      };
      const id = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private setStatus(change: Partial<CameraCaptureStatus>): void {
    this.current = { ...this.current, ...change };
    this.emit('status', this.current);
  }
}
