/**
 * Shared by the browser unit tests of src/storage, src/export and src/player (never imported
 * by the app): the real demo MPEG-TS segments, and throw-away RecordingStores.
 */
import demo00 from '../../demo/segments/demo00.mpegts?url';
import demo01 from '../../demo/segments/demo01.mpegts?url';
import demo02 from '../../demo/segments/demo02.mpegts?url';
import demo03 from '../../demo/segments/demo03.mpegts?url';
import demo04 from '../../demo/segments/demo04.mpegts?url';
import demo05 from '../../demo/segments/demo05.mpegts?url';
import demo06 from '../../demo/segments/demo06.mpegts?url';
import demo07 from '../../demo/segments/demo07.mpegts?url';
import demo08 from '../../demo/segments/demo08.mpegts?url';
import demo09 from '../../demo/segments/demo09.mpegts?url';
import { RecordingStore, type NewRecording } from './recording-store.ts';
import type { Recording } from './types.ts';

const DEMO_SEGMENT_URLS = [demo00, demo01, demo02, demo03, demo04, demo05, demo06, demo07, demo08, demo09];

/** EXTINF duration of every demo segment (demo/segments/segments.json), in seconds. */
export const DEMO_SEGMENT_SEC = 2;

/** The bytes of demo segment `index` (0..9): 2 s of H.264 + AAC in MPEG-TS, timestamps continuing from demo00. */
export async function demoSegment(index: number): Promise<Blob> {
  const url = DEMO_SEGMENT_URLS[index];
  if (url === undefined) throw new RangeError(`No demo segment ${index}`);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Loading ${url} failed with HTTP ${response.status}`);
  return new Blob([await response.arrayBuffer()], { type: 'video/mp2t' });
}

/** A RecordingStore on a database of its own; `dispose` closes it and deletes the database. */
export interface TestStore {
  store: RecordingStore;
  dbName: string;
  dispose(): Promise<void>;
}

/**
 * Deletes a test's IndexedDB database; resolves once it is gone (close its connections first).
 * @throws the DOMException IndexedDB reports when it cannot delete it.
 */
export function deleteTestDatabase(name: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error ?? new Error(`Deleting ${name} failed`));
  });
}

/**
 * A muted, autoplaying `<video>` added to the page, for playback tests; remove it after.
 */
export function testVideo(): HTMLVideoElement {
  const video = document.createElement('video');
  video.muted = true;
  video.autoplay = true;
  document.body.append(video);
  return video;
}

export async function openTestStore(): Promise<TestStore> {
  const dbName = 'test-' + crypto.randomUUID();
  const store = await RecordingStore.open(dbName);
  return {
    store,
    dbName,
    dispose: () => {
      store.close();
      return deleteTestDatabase(dbName);
    },
  };
}

/** What `store.create` needs, with `overrides` applied. */
export function newRecording(overrides: Partial<NewRecording> = {}): NewRecording {
  return {
    title: 'Demo stream',
    sourceName: 'Demo stream',
    sourceUrl: 'http://127.0.0.1/demo/live.m3u8',
    mediaPlaylistUrl: 'http://127.0.0.1/demo/live.m3u8',
    startedAtMs: 1_700_000_000_000,
    ...overrides,
  };
}

/**
 * Creates a recording and stores demo segments `indexes` in it as msn 0, 1, 2…, the way
 * capture would. Returns the recording as the last append left it.
 */
export async function storeDemoRecording(store: RecordingStore, indexes: number[]): Promise<Recording> {
  let recording = await store.create(newRecording());
  for (const [msn, index] of indexes.entries()) {
    const data = await demoSegment(index);
    ({ recording } = await store.appendSegment({ recordingId: recording.id, msn, durationSec: DEMO_SEGMENT_SEC, discontinuity: false, programDateTimeMs: null, data }));
  }
  return recording;
}
