import { expect, type Locator, type Page } from '@playwright/test';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A recording as stored in IndexedDB, with its segments' media sequence numbers. */
export interface StoredRecording {
  id: string;
  title: string;
  status: string;
  durationSec: number;
  bytes: number;
  segmentCount: number;
  gapCount: number;
  kind: string | null;
  codecs: string[];
  /** Media sequence numbers of the stored segments, ascending. */
  msns: number[];
  /** Sum of the stored segment Blobs' sizes, in bytes. */
  storedBytes: number;
  /** Segments stored with an EXT-X-DISCONTINUITY before them. */
  discontinuityCount: number;
}

/** A schedule's run as stored (see src/schedule/types.ts). */
export interface StoredRun {
  scheduleId: string;
  startAtMs: number;
  endAtMs: number;
  status: string;
  recordingId: string | null;
  startedAtMs: number | null;
  lateByMs: number;
  message: string | null;
}

/** A stored segment's metadata (its bytes stay in the page). */
export interface StoredSegment {
  recordingId: string;
  msn: number;
  discontinuity: boolean;
  /** Size of the stored Blob, in bytes. */
  size: number;
  /** When it was stored, in ms since the Unix epoch. */
  storedAtMs: number;
  /** SHA-256 of its bytes in hex, when read with `digests`. */
  sha256?: string;
}

/**
 * Drives Tapedeck in a page the way a user does, by accessible names, and reads what the app
 * stored straight from the page's real IndexedDB.
 */
export class AppPage {
  constructor(readonly page: Page) {}

  get live(): Locator {
    return this.page.getByRole('region', { name: 'Record a stream' });
  }

  get library(): Locator {
    return this.page.getByRole('region', { name: 'Library' });
  }

  get schedules(): Locator {
    return this.page.getByRole('region', { name: 'Schedules' });
  }

  /**
   * Fills the New schedule form for a one-off run at `startAtMs` (wall clock) lasting
   * `durationSec`, and saves it.
   */
  async addOnceSchedule(options: { url: string; station: string; programme: string; startAtMs: number; durationSec: number }): Promise<void> {
    const form = this.page.getByRole('form', { name: 'New schedule' });
    await form.getByLabel('Stream URL').fill(options.url);
    await form.getByLabel('Station').fill(options.station);
    await form.getByLabel('Programme').fill(options.programme);
    await form.getByLabel('Repeat').selectOption('once');
    // datetime-local takes the browser's local time.
    const local = await this.page.evaluate((ms) => {
      const d = new Date(ms);
      const p = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
    }, options.startAtMs);
    await form.getByLabel('Date and time').fill(local);
    await form.getByLabel('Length').selectOption('duration');
    await form.getByLabel('Duration (minutes)').fill(String(options.durationSec / 60));
    await form.getByRole('button', { name: 'Save schedule' }).click();
    await expect(this.schedules.getByRole('list', { name: 'Saved schedules' }).getByRole('listitem').filter({ hasText: options.programme })).toBeVisible();
  }

  /** Opens the app, enters `url` and presses Record; resolves once the recording shows as running. */
  async startRecording(url: string): Promise<void> {
    await this.page.goto('/');
    await this.live.getByLabel('Stream URL').fill(url);
    await this.live.getByRole('button', { name: 'Record' }).click();
    await expect(this.live.getByRole('status')).toContainText('Recording');
  }

  /** Waits until the elapsed time shown has reached `durationSec`. */
  async waitForElapsed(durationSec: number): Promise<void> {
    await expect
      .poll(async () => Number(await this.live.locator('[data-elapsed-sec]').getAttribute('data-elapsed-sec')), { timeout: (durationSec + 30) * 1000 })
      .toBeGreaterThanOrEqual(durationSec);
  }

  /** Presses Stop and waits for the recorder to finish. */
  async stopRecording(): Promise<void> {
    await this.live.getByRole('button', { name: 'Stop' }).click();
    await expect(this.live.getByRole('status')).toContainText('Recorded');
  }

  /** The library's list item for a recording, found by its title. */
  item(title: string): Locator {
    return this.library.getByRole('listitem').filter({ hasText: title });
  }

  /**
   * Reads every recording, every segment's metadata (with the SHA-256 of its bytes, in hex,
   * when `digests` is set) and every schedule run from the page's IndexedDB.
   */
  readDb(options: { digests?: boolean } = {}): Promise<{ recordings: ({ id: string; startedAtMs: number } & Record<string, unknown>)[]; segments: StoredSegment[]; runs: StoredRun[] }> {
    return this.page.evaluate(async ({ digests }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('tapedeck');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const all = <T>(store: string) =>
        new Promise<T[]>((resolve, reject) => {
          const request = db.transaction(store).objectStore(store).getAll();
          request.onsuccess = () => resolve(request.result as T[]);
          request.onerror = () => reject(request.error);
        });
      const recordings = await all<{ id: string; startedAtMs: number } & Record<string, unknown>>('recordings');
      const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
      const segments = await Promise.all(
        (await all<{ recordingId: string; msn: number; discontinuity: boolean; storedAtMs: number; data: Blob }>('segments')).map(async (s) => ({
          recordingId: s.recordingId,
          msn: s.msn,
          discontinuity: s.discontinuity,
          storedAtMs: s.storedAtMs,
          size: s.data.size,
          sha256: digests ? hex(await crypto.subtle.digest('SHA-256', await s.data.arrayBuffer())) : undefined,
        })),
      );
      const runs = db.objectStoreNames.contains('scheduleRuns') ? await all<StoredRun>('scheduleRuns') : [];
      db.close();
      return { recordings, segments, runs };
    }, { digests: options.digests ?? false });
  }

  /** Every schedule run stored, oldest planned start first. */
  async storedRuns(): Promise<StoredRun[]> {
    return (await this.readDb()).runs.sort((a, b) => a.startAtMs - b.startAtMs);
  }

  /** Every stored segment's metadata, whichever recording it belongs to. */
  async storedSegments(): Promise<StoredSegment[]> {
    return (await this.readDb()).segments;
  }

  /** Reads every recording and its segments from IndexedDB, newest first. */
  async storedRecordings(): Promise<StoredRecording[]> {
    const { recordings, segments } = await this.readDb();
    return recordings
      .sort((a, b) => b.startedAtMs - a.startedAtMs)
      .map((r) => {
        const own = segments.filter((s) => s.recordingId === r.id).sort((a, b) => a.msn - b.msn);
        return {
          ...(r as unknown as StoredRecording),
          msns: own.map((s) => s.msn),
          storedBytes: own.reduce((sum, s) => sum + s.size, 0),
          discontinuityCount: own.filter((s) => s.discontinuity).length,
        };
      });
  }

  /**
   * Presses Download on a recording's item, with the Format chosen if given (an option value
   * such as `mp4` or `mp3-128`), and saves the downloaded file, waiting at most `timeoutMs`.
   * Returns its path and suggested name.
   */
  async download(item: Locator, format?: string, timeoutMs = 120_000): Promise<{ path: string; suggestedName: string }> {
    if (format) await item.getByLabel('Format').selectOption(format);
    const downloadPromise = this.page.waitForEvent('download', { timeout: timeoutMs });
    await item.getByRole('button', { name: 'Download' }).click();
    const download = await downloadPromise;
    const dir = await mkdtemp(join(tmpdir(), 'tapedeck-download-'));
    const path = join(dir, download.suggestedFilename());
    await download.saveAs(path);
    return { path, suggestedName: download.suggestedFilename() };
  }

  /** Presses Play on a recording and waits until its playback has advanced past `minSec`. */
  async expectPlayback(item: Locator, minSec = 1): Promise<void> {
    await item.getByRole('button', { name: 'Play' }).click();
    const video = this.page.getByLabel('Recording playback');
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 30_000 }).toBeGreaterThan(minSec);
  }
}

/** True when `msns` are consecutive whole numbers. */
export function isContiguous(msns: readonly number[]): boolean {
  return msns.every((msn, index) => index === 0 || msn === msns[index - 1]! + 1);
}

/** What a playing `<video>` shows now. */
export interface VideoState {
  /** Playback position, in seconds. */
  currentTimeSec: number;
  /** Duration, in seconds (NaN before metadata, Infinity for an unbounded live stream). */
  durationSec: number;
  paused: boolean;
  ended: boolean;
}

/** The recording player (`Player` region) and its video, found by accessible names. */
export function recordingPlayer(page: Page): { region: Locator; video: Locator } {
  const region = page.getByRole('region', { name: 'Player' });
  return { region, video: region.getByLabel('Recording playback') };
}

/** Reads a video element's position, duration and state. */
export function videoState(video: Locator): Promise<VideoState> {
  return video.evaluate((v: HTMLVideoElement) => ({ currentTimeSec: v.currentTime, durationSec: v.duration, paused: v.paused, ended: v.ended }));
}

/** Title the page has given the browser's Media Session (lock screen, notification), or null. */
export function mediaSessionTitle(page: Page): Promise<string | null> {
  return page.evaluate(() => navigator.mediaSession.metadata?.title ?? null);
}

/** The Storage region: persistence, usage and quota, retention rules and their log. */
export function storagePanel(page: Page): Locator {
  return page.getByRole('region', { name: 'Storage', exact: true });
}

/**
 * In an app already open, presses Record on the URL in the Stream URL field, waits until the
 * newest stored recording has at least `minSegments` segments, presses Stop, and renames the
 * recording to `title` (so that recordings made in the same minute can be told apart).
 * @returns the recording as stored after the rename.
 */
export async function recordAndRename(app: AppPage, title: string, minSegments = 2): Promise<StoredRecording> {
  await app.live.getByRole('button', { name: 'Record' }).click();
  await expect(app.live.getByRole('status')).toContainText('Recording');
  await expect.poll(async () => (await app.storedRecordings())[0]?.segmentCount ?? 0, { timeout: 30_000 }).toBeGreaterThanOrEqual(minSegments);
  await app.stopRecording();
  const [made] = await app.storedRecordings();
  await app.item(made!.title).getByRole('button', { name: 'Rename' }).click();
  await app.library.getByLabel('Title').fill(title);
  await app.library.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(app.library.getByRole('heading', { name: title, exact: true })).toBeVisible();
  const [renamed] = await app.storedRecordings();
  expect(renamed!.title).toBe(title);
  return renamed!;
}


/** Opens a recording's tag editor, fills the given fields (by label: Title, Artist…), and saves. */
export async function editTags(item: Locator, fields: Partial<Record<'Title' | 'Artist' | 'Album' | 'Genre' | 'Date' | 'Comment', string>>): Promise<void> {
  await item.getByRole('button', { name: 'Edit tags' }).click();
  const form = item.getByRole('form', { name: 'Tags' });
  for (const [label, value] of Object.entries(fields)) await form.getByLabel(label, { exact: true }).fill(value);
  await form.getByRole('button', { name: 'Save tags' }).click();
  await expect(form).toBeHidden();
}

/**
 * Opens the app, enters `url` (a VOD: its playlist has EXT-X-ENDLIST) and presses Record;
 * resolves once the recorder has taken the whole VOD and stopped by itself (at most `timeoutMs`).
 */
export async function recordUntilEnd(app: AppPage, url: string, timeoutMs = 60_000): Promise<void> {
  await app.page.goto('/');
  await app.live.getByLabel('Stream URL').fill(url);
  await app.live.getByRole('button', { name: 'Record' }).click();
  await expect(app.live.getByRole('status').first()).toContainText('Recorded', { timeout: timeoutMs });
}

/**
 * SHA-256 (hex) of every stored segment's bytes and when it was stored (ms since the Unix
 * epoch), by msn ascending, for the newest recording: to compare what the app stored with what
 * the test expects byte for byte, and the order it was stored in.
 */
export async function storedSegmentDigests(app: AppPage): Promise<{ msn: number; sha256: string; storedAtMs: number }[]> {
  const { recordings, segments } = await app.readDb({ digests: true });
  const newest = [...recordings].sort((a, b) => b.startedAtMs - a.startedAtMs)[0];
  return segments
    .filter((s) => s.recordingId === newest?.id)
    .sort((a, b) => a.msn - b.msn)
    .map((s) => ({ msn: s.msn, sha256: s.sha256!, storedAtMs: s.storedAtMs }));
}

/**
 * Changes the capture settings the live view records with (its `captureConfig` property), e.g.
 * a shorter segment timeout for a test; the rest keep their defaults. Call after `goto`; it waits
 * for the live view to be rendered.
 * @throws Error when the page has no live view.
 */
export async function setCaptureConfig(app: AppPage, patch: Partial<import('../../src/config.ts').CaptureConfig>): Promise<void> {
  // The live view renders after the page's load event: wait for it before changing it.
  await expect(app.live.getByLabel('Stream URL')).toBeVisible();
  await app.page.evaluate((changes) => {
    const find = (root: ParentNode): Element | null => {
      const hit = root.querySelector('td-live-view');
      if (hit) return hit;
      for (const element of root.querySelectorAll('*')) {
        const inner = element.shadowRoot ? find(element.shadowRoot) : null;
        if (inner) return inner;
      }
      return null;
    };
    const view = find(document) as (Element & { captureConfig: Record<string, unknown> }) | null;
    if (!view) throw new Error('No td-live-view on the page');
    view.captureConfig = { ...view.captureConfig, ...changes };
  }, patch);
}
