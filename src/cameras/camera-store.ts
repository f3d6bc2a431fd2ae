import { TypedEventTarget } from '../events.ts';
import { openTapedeckDb, type TapedeckDb } from '../storage/db.ts';
import type { CameraRecord, CameraRecordMode, CameraRetention, CameraSourceKind } from '../storage/types.ts';
import { checkSplitEveryHours } from './local-day.ts';

/** A camera with every optional field of {@link CameraRecord} filled in (defaults applied). */
export interface Camera extends CameraRecord {
  source: CameraSourceKind;
  recordMode: CameraRecordMode;
  splitEveryHours: number;
  retention: CameraRetention;
  createdAtMs: number;
}

/** What a new camera is made of; `id` and `createdAtMs` are filled in by the store. */
export type NewCamera = Pick<Camera, 'name' | 'streamUrl'> & Partial<Pick<Camera, 'source' | 'relayCameraId' | 'recordMode' | 'splitEveryHours' | 'retention'>>;

/** Fields of a camera that may change. */
export type CameraPatch = Partial<Pick<Camera, 'name' | 'streamUrl' | 'source' | 'relayCameraId' | 'recordMode' | 'splitEveryHours' | 'retention'>>;

/** Thrown for a camera that could not be stored as given; nothing is written then. */
export class CameraValidationError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'CameraValidationError';
  }
}

/** Thrown for a camera id that is not (or no longer) stored. */
export class CameraNotFoundError extends Error {
  constructor(readonly cameraId: string) {
    super(`No camera with id ${cameraId}: it may have been removed.`);
    this.name = 'CameraNotFoundError';
  }
}

/** Events of {@link CameraStore}: a camera changed (`cameraId` null: several). */
export interface CameraStoreEvents {
  change: { cameraId: string | null };
}

/** The camera with the defaults documented on {@link CameraRecord} filled in. */
export function withCameraDefaults(record: CameraRecord): Camera {
  return {
    ...record,
    source: record.source ?? 'hls',
    recordMode: record.recordMode ?? 'off',
    splitEveryHours: record.splitEveryHours ?? 24,
    retention: record.retention ?? {},
    createdAtMs: record.createdAtMs ?? 0,
  };
}

/**
 * Checks a camera before it is stored.
 * @throws CameraValidationError for an empty name, a stream URL that is not http(s), a relay
 *   camera without its relay id, a split length that does not divide a day, or a retention
 *   limit that is not a number above 0 (days: a whole number).
 */
export function validateCamera(camera: Camera): void {
  if (!camera.name.trim()) throw new CameraValidationError('Give the camera a name.');
  let url: URL;
  try {
    url = new URL(camera.streamUrl);
  } catch {
    throw new CameraValidationError(`The stream URL "${camera.streamUrl}" is not a full URL; it starts with http:// or https://.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CameraValidationError(`The stream URL must start with http:// or https:// (an HLS playlist), not ${url.protocol}//.`);
  }
  if (camera.source === 'relay' && !camera.relayCameraId) throw new CameraValidationError('A relay camera needs its id on the relay.');
  try {
    checkSplitEveryHours(camera.splitEveryHours);
  } catch (error) {
    throw new CameraValidationError((error as Error).message);
  }
  const { days, bytes } = camera.retention;
  if (days !== undefined && !(Number.isInteger(days) && days >= 1)) throw new CameraValidationError('Keep (days) must be a whole number of days, at least 1.');
  if (bytes !== undefined && !(Number.isFinite(bytes) && bytes > 0)) throw new CameraValidationError('Keep (GB) must be a number above 0.');
}

/**
 * The cameras the app shows and records, in IndexedDB (the `cameras` store, database version
 * 4). Dispatches `change` after every write, in this tab and, through a BroadcastChannel, in
 * the other tabs on the same database. Storage errors reach the caller unchanged.
 */
export class CameraStore extends TypedEventTarget<CameraStoreEvents> {
  private readonly channel: BroadcastChannel;

  private constructor(private readonly db: TapedeckDb) {
    super();
    this.channel = new BroadcastChannel(`tapedeck-cameras:${db.name}`);
    this.channel.onmessage = (event: MessageEvent<{ cameraId: string | null }>) => this.emit('change', event.data);
  }

  /** Opens the store on the named database (tests pass their own name). */
  static async open(dbName?: string): Promise<CameraStore> {
    return new CameraStore(await openTapedeckDb(dbName));
  }

  /** Name of the database, e.g. to name Web Locks that guard it. */
  get dbName(): string {
    return this.db.name;
  }

  /** Closes the database and the cross-tab channel. */
  close(): void {
    this.channel.close();
    this.db.close();
  }

  /** Every camera, oldest added first (the grid's order). */
  async list(): Promise<Camera[]> {
    const all = (await this.db.getAll('cameras')).map(withCameraDefaults);
    return all.sort((a, b) => a.createdAtMs - b.createdAtMs || a.name.localeCompare(b.name));
  }

  /** One camera, or undefined. */
  async get(cameraId: string): Promise<Camera | undefined> {
    const record = await this.db.get('cameras', cameraId);
    return record && withCameraDefaults(record);
  }

  /**
   * Adds a camera.
   * @param nowMs - wall clock, in ms since the Unix epoch, stored as `createdAtMs`.
   * @throws CameraValidationError (see {@link validateCamera}); nothing is stored then.
   */
  async add(init: NewCamera, nowMs: number = Date.now()): Promise<Camera> {
    const camera = withCameraDefaults({ ...init, name: init.name.trim(), streamUrl: init.streamUrl.trim(), id: crypto.randomUUID(), createdAtMs: nowMs });
    validateCamera(camera);
    await this.db.put('cameras', camera);
    this.notify(camera.id);
    return camera;
  }

  /**
   * Changes a camera, in one transaction.
   * @throws CameraNotFoundError for an unknown id; CameraValidationError for a change that
   *   would make the camera invalid (nothing is written then).
   */
  async update(cameraId: string, patch: CameraPatch): Promise<Camera> {
    const tx = this.db.transaction('cameras', 'readwrite');
    const current = await tx.store.get(cameraId);
    if (!current) {
      tx.abort();
      await tx.done.catch(() => undefined);
      throw new CameraNotFoundError(cameraId);
    }
    const next = withCameraDefaults({ ...current, ...patch });
    next.name = next.name.trim();
    next.streamUrl = next.streamUrl.trim();
    try {
      validateCamera(next);
    } catch (error) {
      tx.abort();
      await tx.done.catch(() => undefined);
      throw error;
    }
    await tx.store.put(next);
    await tx.done;
    this.notify(cameraId);
    return next;
  }

  /** Removes a camera; its recordings stay in the library. Unknown ids are a no-op. */
  async remove(cameraId: string): Promise<void> {
    await this.db.delete('cameras', cameraId);
    this.notify(cameraId);
  }

  private notify(cameraId: string | null): void {
    this.emit('change', { cameraId });
    this.channel.postMessage({ cameraId });
  }
}
