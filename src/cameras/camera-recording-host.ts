import type { CameraConfig, CaptureConfig } from '../config.ts';
import { TypedEventTarget } from '../events.ts';
import { electLeader } from '../schedule/leader.ts';
import type { RecordingStore } from '../storage/recording-store.ts';
import type { SettingsStore } from '../storage/settings-store.ts';
import { applyCameraRetention } from './camera-retention.ts';
import type { Camera, CameraStore } from './camera-store.ts';
import { CameraCapture, type CameraCaptureStatus } from './continuous-recorder.ts';

/** Name of the Web Lock held by the one tab that records the cameras (per database). */
export function cameraRecorderLockName(dbName: string): string {
  return `tapedeck-cameras:${dbName}`;
}

/** Events of {@link CameraRecordingHost}. */
export interface CameraRecordingHostEvents {
  /** Whether this tab records the cameras; the others wait to take over. */
  leader: { isLeader: boolean };
  /** A camera's capture status changed (this tab only). */
  status: CameraCaptureStatus;
  /** Applying camera retention failed; what was deleted before stays deleted. */
  problem: { message: string };
}

/** What {@link CameraRecordingHost} needs. */
export interface CameraRecordingHostOptions {
  capture: CaptureConfig;
  cameras: CameraConfig;
  /** Entries the retention log keeps (config `storage.retentionLogMaxEntries`). */
  retentionLogMaxEntries: number;
  /** Wall clock, in ms since the Unix epoch; tests shift it. Default `Date.now`. */
  now?: () => number;
}

/** What makes a running capture out of date: a change to any of these restarts it. */
function captureKey(camera: Camera): string {
  return JSON.stringify([camera.streamUrl, camera.name, camera.splitEveryHours]);
}

/**
 * Runs the continuous recording of every camera set to `continuous`, in exactly one tab: the
 * tab that holds the cameras' Web Lock (the others take over when it closes or crashes, and
 * resume the day's recordings). It follows the camera store: a camera turned on starts, one
 * turned off or removed stops, one whose URL, name or split changed starts again. Camera
 * retention is applied when the tab becomes the recorder, when a camera changes and at every
 * split, never on the day being recorded.
 */
export class CameraRecordingHost extends TypedEventTarget<CameraRecordingHostEvents> {
  private readonly captures = new Map<string, { capture: CameraCapture; key: string }>();
  private teardowns: (() => void)[] = [];
  private leader = false;
  /** Syncs one after the other, so two changes never start the same camera twice. */
  private syncing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly cameras: CameraStore,
    private readonly recordings: RecordingStore,
    private readonly settings: SettingsStore,
    private readonly options: CameraRecordingHostOptions,
  ) {
    super();
  }

  /** Whether this tab records the cameras. */
  get isLeader(): boolean {
    return this.leader;
  }

  /** The capture status of a camera recorded by this tab, or undefined. */
  statusOf(cameraId: string): CameraCaptureStatus | undefined {
    return this.captures.get(cameraId)?.capture.status;
  }

  /** Joins the election; once leader, records the cameras and follows their changes. */
  start(): void {
    this.teardowns.push(
      electLeader(() => {
        if (this.stopped) return;
        this.leader = true;
        this.emit('leader', { isLeader: true });
        this.teardowns.push(this.cameras.on('change', () => this.sync()));
        this.sync();
      }, cameraRecorderLockName(this.cameras.dbName)),
    );
  }

  /** Compares the running captures with the stored cameras now (after a change). */
  sync(): Promise<void> {
    this.syncing = this.syncing.then(() => this.syncNow()).catch((error: unknown) => this.emit('problem', { message: `Camera recording could not follow the camera list: ${String(error)}` }));
    return this.syncing;
  }

  /** Stops every capture (each stores its end) and gives up the lock. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const teardown of this.teardowns.splice(0)) teardown();
    await this.syncing;
    await Promise.all([...this.captures.values()].map(({ capture }) => capture.stop()));
    this.captures.clear();
    this.leader = false;
  }

  private async syncNow(): Promise<void> {
    if (!this.leader || this.stopped) return;
    const cameras = await this.cameras.list();
    const wanted = new Map(cameras.filter((c) => c.recordMode === 'continuous').map((c) => [c.id, c]));
    for (const [id, { capture, key }] of [...this.captures]) {
      const camera = wanted.get(id);
      if (!camera || captureKey(camera) !== key) {
        this.captures.delete(id);
        await capture.stop();
      }
    }
    for (const camera of wanted.values()) {
      if (this.captures.has(camera.id) || this.stopped) continue;
      const capture = new CameraCapture(camera, this.recordings, { captureConfig: this.options.capture, restartDelayMs: this.options.cameras.restartDelayMs, splitCheckIntervalMs: this.options.cameras.splitCheckIntervalMs, now: this.options.now });
      capture.on('status', (status) => this.emit('status', status));
      capture.on('split', () => void this.applyRetention());
      this.captures.set(camera.id, { capture, key: captureKey(camera) });
      capture.start();
    }
    await this.applyRetention(cameras);
  }

  private async applyRetention(cameras?: Camera[]): Promise<void> {
    try {
      await applyCameraRetention(cameras ?? (await this.cameras.list()), this.recordings, this.settings, { logMaxEntries: this.options.retentionLogMaxEntries, now: this.options.now });
    } catch (error) {
      this.emit('problem', { message: `Camera retention failed: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
}
