import { TypedEventTarget } from '../events.ts';
import type { RecordingStore } from './recording-store.ts';
import { planRetention, validateRetentionRule, withRenditions, type RetentionLogEntry, type RetentionRule } from './retention.ts';
import type { SettingsStore } from './settings-store.ts';

/** What made the keeper apply the rules. */
export type RetentionTrigger = 'start' | 'rules-saved' | 'recording-finished';

/** Events of {@link RetentionKeeper}. */
export interface RetentionKeeperEvents {
  /** The rules were applied; `deleted` is what this tab deleted (often nothing), oldest first. */
  applied: { trigger: RetentionTrigger; deleted: RetentionLogEntry[] };
  /** Applying the rules failed (storage error); what was deleted before the failure stays deleted. */
  problem: { message: string };
}

/** Options of {@link RetentionKeeper}. */
export interface RetentionKeeperOptions {
  /** Entries the retention log keeps; the oldest go first. */
  logMaxEntries: number;
  /** Wall clock, in ms since the Unix epoch (tests pass their own). */
  now?: () => number;
}

/**
 * Keeps the retention rules (in the `settings` store) and carries them out: when the keeper
 * starts, when a rule is saved, and each time a recording finishes (its status leaves
 * `recording`, in this tab or another), never on the writes of a recording in progress. It
 * deletes with {@link RecordingStore.delete} what {@link planRetention} plans, and appends
 * each deletion, with its reason, to the retention log setting.
 *
 * Tabs apply the rules one at a time (a Web Lock per database), so each deletion is made and
 * logged once.
 */
export class RetentionKeeper extends TypedEventTarget<RetentionKeeperEvents> {
  private readonly inProgress = new Set<string>();
  private unsubscribe: (() => void) | null = null;
  /** Change events handled one after the other, so none is judged on stale state. */
  private changes: Promise<void> = Promise.resolve();
  private readonly now: () => number;

  constructor(
    private readonly recordings: RecordingStore,
    private readonly settings: SettingsStore,
    private readonly options: RetentionKeeperOptions,
  ) {
    super();
    this.now = options.now ?? (() => Date.now());
  }

  /**
   * Starts following the recording store and applies the rules once.
   * @returns the deletions of that first application.
   */
  async start(): Promise<RetentionLogEntry[]> {
    if (this.unsubscribe) throw new RangeError('The retention keeper has already started.');
    this.unsubscribe = this.recordings.on('change', ({ recordingId }) => {
      this.changes = this.changes.then(() => this.onRecordingChange(recordingId)).catch((error: unknown) => this.reportProblem(error));
    });
    await this.refreshInProgress();
    return this.apply('start');
  }

  /** Stops following the recording store; an application under way still finishes. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** The saved rules: those for single sources in the order saved, then the one for all sources. */
  async rules(): Promise<RetentionRule[]> {
    return (await this.settings.get('retentionRules')) ?? [];
  }

  /** The retention log, oldest deletion first. */
  async log(): Promise<RetentionLogEntry[]> {
    return (await this.settings.get('retentionLog')) ?? [];
  }

  /**
   * Saves a rule, replacing the one for the same source (or for all sources), then applies
   * the rules.
   * @returns the deletions the rules made.
   * @throws RetentionRuleError for a rule without a usable limit (nothing is saved then).
   */
  async saveRule(rule: RetentionRule): Promise<RetentionLogEntry[]> {
    validateRetentionRule(rule);
    await this.settings.update('retentionRules', (rules = []) => {
      const replaced = rules.some((r) => r.sourceUrl === rule.sourceUrl);
      const next = replaced ? rules.map((r) => (r.sourceUrl === rule.sourceUrl ? { ...rule } : r)) : [...rules, { ...rule }];
      return [...next.filter((r) => r.sourceUrl !== null), ...next.filter((r) => r.sourceUrl === null)];
    });
    return this.apply('rules-saved');
  }

  /** Removes the rule for `sourceUrl` (null: the rule for all sources). Deletes nothing. */
  async removeRule(sourceUrl: string | null): Promise<void> {
    await this.settings.update('retentionRules', (rules = []) => rules.filter((r) => r.sourceUrl !== sourceUrl));
  }

  /**
   * Applies the saved rules now, deleting what they plan and logging it.
   * @returns the deletions, oldest recording first; empty when no rule is saved.
   * @throws DOMException on storage errors (deletions already made stay made and logged).
   */
  async apply(trigger: RetentionTrigger): Promise<RetentionLogEntry[]> {
    const deleted = await navigator.locks.request(`tapedeck-retention:${this.settings.dbName}`, () => this.applyLocked());
    this.emit('applied', { trigger, deleted });
    return deleted;
  }

  private async applyLocked(): Promise<RetentionLogEntry[]> {
    const rules = await this.rules();
    if (rules.length === 0) return [];
    const recordings = await this.recordings.list();
    // A main recording's log entry counts the bytes of the renditions deleted with it.
    const byId = new Map(withRenditions(recordings).map((r) => [r.id, r]));
    const nowMs = this.now();
    const deleted: RetentionLogEntry[] = [];
    try {
      for (const { recordingId, reason } of planRetention(recordings, rules, nowMs)) {
        const recording = byId.get(recordingId)!;
        await this.recordings.delete(recordingId);
        deleted.push({ atMs: this.now(), recordingId, title: recording.title, startedAtMs: recording.startedAtMs, bytes: recording.bytes, reason });
      }
    } finally {
      if (deleted.length > 0) {
        await this.settings.update('retentionLog', (log = []) => [...log, ...deleted].slice(-this.options.logMaxEntries));
      }
    }
    return deleted;
  }

  /** Applies the rules when `recordingId` (or, for null, any recording) has just finished. */
  private async onRecordingChange(recordingId: string | null): Promise<void> {
    if (recordingId === null) {
      const before = new Set(this.inProgress);
      await this.refreshInProgress();
      if ([...before].some((id) => !this.inProgress.has(id))) await this.apply('recording-finished');
      return;
    }
    const recording = await this.recordings.get(recordingId);
    if (recording?.status === 'recording') {
      this.inProgress.add(recordingId);
      return;
    }
    const wasInProgress = this.inProgress.delete(recordingId);
    if (recording && wasInProgress) await this.apply('recording-finished');
  }

  private async refreshInProgress(): Promise<void> {
    this.inProgress.clear();
    for (const recording of await this.recordings.list()) {
      if (recording.status === 'recording') this.inProgress.add(recording.id);
    }
  }

  private reportProblem(error: unknown): void {
    this.emit('problem', { message: `Applying the retention rules failed: ${error instanceof Error ? error.message : String(error)}` });
  }
}
