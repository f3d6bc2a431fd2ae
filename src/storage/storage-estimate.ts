/**
 * What the browser says about this origin's storage (Storage API, navigator.storage): how
 * much is used, how much may be, and whether it is persistent (kept when space runs low)
 * or best-effort (the browser may clear it on its own).
 */

import type { SettingsStore } from './settings-store.ts';

/** Usage and quota of this origin, in bytes, as the browser estimates them. */
export interface StorageEstimateBytes {
  /** Bytes this origin stores now (IndexedDB, caches, OPFS…), roughly. */
  usageBytes: number;
  /** Bytes this origin may store before writes fail with `QuotaExceededError`. */
  quotaBytes: number;
}

/**
 * Whether the origin's storage is persistent: `persistent` (kept until the user clears it),
 * `best-effort` (the browser may clear it when space runs low), or `unsupported` (no Storage
 * API persistence in this browser or context).
 */
export type PersistenceState = 'persistent' | 'best-effort' | 'unsupported';

/**
 * Reads usage and quota with `navigator.storage.estimate()`.
 * @returns null when the browser has no estimate (old browsers, insecure contexts).
 * @throws DOMException (TypeError in some browsers) when the browser refuses the estimate.
 */
export async function readStorageEstimate(): Promise<StorageEstimateBytes | null> {
  if (typeof navigator.storage?.estimate !== 'function') return null;
  const { usage, quota } = await navigator.storage.estimate();
  if (usage === undefined || quota === undefined) return null;
  return { usageBytes: usage, quotaBytes: quota };
}

/** Reads whether storage is persistent now (`navigator.storage.persisted()`), asking nothing. */
export async function readPersistence(): Promise<PersistenceState> {
  if (typeof navigator.storage?.persisted !== 'function') return 'unsupported';
  try {
    return (await navigator.storage.persisted()) ? 'persistent' : 'best-effort';
  } catch {
    return 'unsupported';
  }
}

/**
 * Asks the browser to make storage persistent (`navigator.storage.persist()`). Browsers
 * decide differently: Firefox asks the user, Chromium decides by itself from how much the site
 * is used (installed, bookmarked, notifications allowed), and may say no without asking.
 * @returns the state after asking.
 */
export async function requestPersistence(): Promise<PersistenceState> {
  if (typeof navigator.storage?.persist !== 'function') return 'unsupported';
  try {
    return (await navigator.storage.persist()) ? 'persistent' : 'best-effort';
  } catch {
    return 'unsupported';
  }
}

/**
 * On the app's first start, asks for persistent storage once, and remembers that it asked
 * (setting `persistenceAskedAtMs`), so later starts only read the state; the user can still
 * ask again with a button.
 * @param nowMs - wall clock noted as the time of asking, in ms since the Unix epoch.
 * @returns the state, and whether this call asked.
 * @throws DOMException when the setting cannot be read or written.
 */
export async function askPersistenceOnFirstStart(settings: SettingsStore, nowMs: number = Date.now()): Promise<{ state: PersistenceState; asked: boolean }> {
  const state = await readPersistence();
  if (state !== 'best-effort' || (await settings.get('persistenceAskedAtMs')) !== undefined) return { state, asked: false };
  // Noted before asking, so a tab closed while the browser asks the user does not ask again.
  let first = false;
  await settings.update('persistenceAskedAtMs', (askedAtMs) => {
    first = askedAtMs === undefined;
    return askedAtMs ?? nowMs;
  });
  if (!first) return { state, asked: false };
  return { state: await requestPersistence(), asked: true };
}
