import { TypedEventTarget } from '../events.ts';
import { openTapedeckDb, type TapedeckDb } from './db.ts';
import type { RetentionLogEntry, RetentionRule } from './retention.ts';

/**
 * Every setting Tapedeck keeps in IndexedDB (the `settings` store, since database version 3),
 * by name. IndexedDB rather than localStorage, so workers can read them too.
 */
export interface SettingValues {
  /** The retention rules, at most one per source URL (null: all sources). */
  retentionRules: RetentionRule[];
  /** Deletions made by retention rules, newest first, capped in length by the keeper. */
  retentionLog: RetentionLogEntry[];
  /** When persistent storage was first asked for, in ms since the Unix epoch; absent: never. */
  persistenceAskedAtMs: number;
  /** Base URL of the Tapedeck relay (cameras, header sources), e.g. `http://192.168.1.10:8787`; absent: no relay. */
  relayUrl: string;
  /** The relay's access token (bearer token, RFC 6750); absent: none entered. */
  relayToken: string;
}

/** Name of a setting. */
export type SettingKey = keyof SettingValues;
/** Any setting's value. */
export type SettingValue = SettingValues[SettingKey];

/** Events of {@link SettingsStore}: `key` changed, in this tab or another. */
export interface SettingsStoreEvents {
  change: { key: SettingKey };
}

/**
 * Named settings in IndexedDB, one record each. {@link SettingsStore.update} reads and
 * writes in one transaction, so two tabs changing a list at once lose neither change.
 * Dispatches `change` after every write, in this tab and, through a BroadcastChannel, in
 * the other tabs on the same database.
 *
 * Storage errors (`QuotaExceededError` when storage is full) reach the caller unchanged.
 */
export class SettingsStore extends TypedEventTarget<SettingsStoreEvents> {
  private readonly channel: BroadcastChannel;

  private constructor(private readonly db: TapedeckDb) {
    super();
    this.channel = new BroadcastChannel(`tapedeck-settings:${db.name}`);
    this.channel.onmessage = (event: MessageEvent<{ key: SettingKey }>) => this.emit('change', event.data);
  }

  /** Opens the store on the named database (tests pass their own name). */
  static async open(dbName?: string): Promise<SettingsStore> {
    return new SettingsStore(await openTapedeckDb(dbName));
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

  /** The setting's value, or undefined when it was never set. */
  async get<K extends SettingKey>(key: K): Promise<SettingValues[K] | undefined> {
    return (await this.db.get('settings', key)) as SettingValues[K] | undefined;
  }

  /**
   * Replaces a setting with what `change` makes of its current value, in one transaction.
   * @param change - synchronous; gets undefined for a setting never set.
   * @returns the value stored.
   */
  async update<K extends SettingKey>(key: K, change: (current: SettingValues[K] | undefined) => SettingValues[K]): Promise<SettingValues[K]> {
    const tx = this.db.transaction('settings', 'readwrite');
    const current = (await tx.store.get(key)) as SettingValues[K] | undefined;
    const next = change(current);
    await tx.store.put(next, key);
    await tx.done;
    this.emit('change', { key });
    this.channel.postMessage({ key });
    return next;
  }
}
