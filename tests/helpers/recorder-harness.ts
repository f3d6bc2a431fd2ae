import { HlsRecorder } from '../../src/capture/hls-recorder.ts';
import { resolveConfig, type CaptureConfig, type RetryPolicy } from '../../src/config.ts';
import { RecordingStore } from '../../src/storage/recording-store.ts';
import { deleteTestDatabase } from '../../src/storage/test-fixtures.ts';
import type { Recording } from '../../src/storage/types.ts';

/**
 * Shared pieces of the browser unit tests of the capture engine (src/capture/*.test.ts), which
 * record from the fault server (tests/helpers/fault-server.ts) into real IndexedDB.
 */

/** MIME type of HLS playlists (RFC 8216 section 4). */
/** Small retries (delays of 10 to 40 ms) so that failing requests cost milliseconds in tests. */
export const QUICK_RETRY: RetryPolicy = { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 40, backoffMultiplier: 2, jitterRatio: 0.5 };

/**
 * Capture settings for recorder tests: {@link QUICK_RETRY} for playlists and segments,
 * 5000 ms request limits, then `overrides`.
 */
export function quickCaptureConfig(overrides: Partial<CaptureConfig> = {}): CaptureConfig {
  return resolveConfig({ capture: { playlistRetry: QUICK_RETRY, segmentRetry: QUICK_RETRY, playlistTimeoutMs: 5000, segmentTimeoutMs: 5000, ...overrides } }).capture;
}

/**
 * Records the playlist at `url` (a VOD, or a master playlist of one) into `store` with the real
 * HlsRecorder and {@link quickCaptureConfig}, to its end.
 * @returns the finished recording.
 * @throws as HlsRecorder's `start` and `done` do (an unreadable playlist, a refused source).
 */
export async function recordToEnd(store: RecordingStore, url: string): Promise<Recording> {
  const recorder = new HlsRecorder(store, quickCaptureConfig(), { now: () => Date.now(), random: () => 0 });
  await recorder.start({ url });
  return recorder.done;
}

export const HLS_TYPE = 'application/vnd.apple.mpegurl';

/** A fault-server URL (`base` is its origin) that answers 200 with `body` as `type`. */
export function fileUrl(base: string, body: string, type = 'text/plain'): string {
  return `${base}/file?body=${encodeURIComponent(body)}&type=${encodeURIComponent(type)}`;
}

/** A fault-server URL that answers 200 with `bytes` (any binary body). */
export function bytesUrl(base: string, bytes: Uint8Array): string {
  return `${base}/bytes?hex=${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Line of a media playlist: a segment of `durationSec` at `uri`, preceded by any `tags`. */
export interface PlaylistEntry {
  uri: string;
  durationSec?: number;
  /** Tags written before the EXTINF line, e.g. `#EXT-X-KEY:…`. */
  tags?: string[];
}

/**
 * The text of a media playlist (RFC 8216 section 4.3.3) listing `entries` from msn
 * `mediaSequence`, with EXT-X-ENDLIST when `endList`.
 */
export function mediaPlaylistText(entries: PlaylistEntry[], { targetDurationSec = 2, mediaSequence = 0, endList = true } = {}): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${targetDurationSec}`, `#EXT-X-MEDIA-SEQUENCE:${mediaSequence}`];
  for (const entry of entries) lines.push(...(entry.tags ?? []), `#EXTINF:${(entry.durationSec ?? targetDurationSec).toFixed(3)},`, entry.uri);
  if (endList) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

/**
 * Opens recording stores in fresh, uniquely named IndexedDB databases and deletes them all in
 * {@link cleanUp} (call it from `afterEach`).
 */
export class StoreScope {
  private readonly opened: { store: RecordingStore; name: string }[] = [];

  async open(): Promise<RecordingStore> {
    const name = `tapedeck-test-${crypto.randomUUID()}`;
    const store = await RecordingStore.open(name);
    this.opened.push({ store, name });
    return store;
  }

  async cleanUp(): Promise<void> {
    for (const { store, name } of this.opened.splice(0)) {
      store.close();
      await deleteTestDatabase(name);
    }
  }
}

/** The stored segments of `recording` as `[msn, text]`, in msn order. */
export async function storedText(store: RecordingStore, recording: Recording): Promise<[number, string][]> {
  const segments = await store.listSegments(recording.id);
  return Promise.all(segments.map(async (s) => [s.msn, await s.data.text()] as [number, string]));
}
