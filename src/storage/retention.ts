/**
 * Retention rules and the pure planning of what they delete. Nothing here touches storage:
 * {@link planRetention} reads a list of recordings and returns what to delete and why;
 * src/storage/retention-keeper.ts stores the rules and carries a plan out.
 *
 * Deleting is the user's decision or an explicit rule, never silent: with no rule, no plan
 * ever deletes anything, and a recording still being made is never deleted.
 */

import type { Recording } from './types.ts';

/** Milliseconds in one day (24 hours; retention ages are wall-clock spans, not calendar days). */
export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * One retention rule. A rule for one source (`sourceUrl` set) keeps that source's newest
 * `maxBytes` and/or the recordings of its last `maxAgeDays`; the rule for all sources
 * (`sourceUrl` null) does the same over every recording together, so its `maxBytes` is the
 * total cap. At most one rule per `sourceUrl` (and one for all sources); at least one limit set.
 * A size limit never deletes the newest finished recording in its scope, even when that one
 * alone is larger; recordings in progress are never deleted by any rule.
 */
export interface RetentionRule {
  /** The recordings' {@link Recording.sourceUrl} the rule is for, or null for all sources. */
  sourceUrl: string | null;
  /** Name of the source when the rule was saved (for display), e.g. `Demo stream`; `All sources` for null. */
  sourceName: string;
  /** Most bytes the source's recordings (or all recordings) may take together; null: no size limit. */
  maxBytes: number | null;
  /** Recordings that ended more than this many days ago are deleted; null: no age limit. Fractions allowed. */
  maxAgeDays: number | null;
}

/** Why a plan deletes a recording: which rule, and which of its limits. */
export type RetentionReason =
  | {
      /** The recording ended more than `maxAgeDays` days before the plan's `nowMs`. */
      kind: 'max-age';
      maxAgeDays: number;
      /** The rule's source, or null for the rule for all sources. */
      sourceUrl: string | null;
      sourceName: string;
    }
  | {
      /** Keeping the recording would leave the rule's recordings above `maxBytes` together. */
      kind: 'max-bytes';
      maxBytes: number;
      sourceUrl: string | null;
      sourceName: string;
    };

/** One deletion of a retention plan. */
export interface RetentionDeletion {
  recordingId: string;
  reason: RetentionReason;
}

/** One deletion carried out, as the retention log keeps it. */
export interface RetentionLogEntry {
  /** Wall clock of the deletion, in ms since the Unix epoch. */
  atMs: number;
  recordingId: string;
  /** The recording's title when it was deleted. */
  title: string;
  /** The recording's start, in ms since the Unix epoch. */
  startedAtMs: number;
  /** The space its segments took, in bytes. */
  bytes: number;
  reason: RetentionReason;
}

/** The fields of a recording that planning reads. */
export type PlannedRecording = Pick<Recording, 'id' | 'sourceUrl' | 'startedAtMs' | 'endedAtMs' | 'bytes' | 'status' | 'parentRecordingId'>;

/**
 * The recordings as retention sees them: each main recording with its alternate renditions
 * (audio, subtitles: `parentRecordingId`) folded in, as {@link RecordingStore.delete} deletes
 * them together. A main recording's `bytes` become its own plus its renditions', and it counts
 * as in progress (`recording`) while any of them is. A rendition whose main recording is not
 * in `recordings` stays on its own. Order is kept; renditions drop out.
 */
export function withRenditions<R extends PlannedRecording>(recordings: readonly R[]): R[] {
  const ids = new Set(recordings.map((r) => r.id));
  const isRendition = (r: R) => r.parentRecordingId !== undefined && ids.has(r.parentRecordingId);
  const renditions = new Map<string, R[]>();
  for (const r of recordings) if (isRendition(r)) renditions.set(r.parentRecordingId!, [...(renditions.get(r.parentRecordingId!) ?? []), r]);
  return recordings.flatMap((r) => {
    if (isRendition(r)) return [];
    const own = renditions.get(r.id);
    if (!own) return [r];
    const inProgress = r.status === 'recording' || own.some((child) => child.status === 'recording');
    return [{ ...r, bytes: own.reduce((sum, child) => sum + child.bytes, r.bytes), status: inProgress ? 'recording' : r.status }];
  });
}

/** Thrown by {@link validateRetentionRule} for a rule that could not be applied as meant. */
export class RetentionRuleError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'RetentionRuleError';
  }
}

/**
 * Checks a rule before it is saved.
 * @throws RetentionRuleError when neither limit is set, or a limit is not a finite number above 0
 *   (a limit of 0 would delete every finished recording, which no one means by "keep").
 */
export function validateRetentionRule(rule: RetentionRule): void {
  if (rule.maxBytes === null && rule.maxAgeDays === null) {
    throw new RetentionRuleError('Give at least one limit: Keep newest (GB) or Keep newest (days).');
  }
  if (rule.maxBytes !== null && !(Number.isFinite(rule.maxBytes) && rule.maxBytes > 0)) {
    throw new RetentionRuleError('Keep newest (GB) must be a number above 0.');
  }
  if (rule.maxAgeDays !== null && !(Number.isFinite(rule.maxAgeDays) && rule.maxAgeDays > 0)) {
    throw new RetentionRuleError('Keep newest (days) must be a number above 0.');
  }
}

/**
 * When a recording counts as made, for age limits: its end (wall clock, ms since the Unix
 * epoch), or its start while it has none.
 */
export function recordingEndMs(recording: PlannedRecording): number {
  return recording.endedAtMs ?? recording.startedAtMs;
}

/**
 * Decides which recordings the rules delete. Pure: same input, same output.
 *
 * For each rule (the rules for single sources first, the rule for all sources last, each
 * over the recordings still kept): first every finished recording in its scope that ended
 * more than `maxAgeDays` before `nowMs`; then, while the scope's kept recordings take more
 * than `maxBytes` together, the oldest finished one. Recordings in status `recording` are
 * never deleted, but their bytes count, as they take space: a rule whose scope is over its
 * limit with only recordings in progress left is met as far as it can be. A main recording and
 * its renditions count and go as one ({@link withRenditions}); the plan names the main one.
 *
 * @param recordings - any order; ids unique.
 * @param rules - at most one per `sourceUrl`; rules that fail {@link validateRetentionRule} are skipped.
 * @param nowMs - wall clock, in ms since the Unix epoch, that ages are measured from.
 * @returns the deletions, oldest recording (by start) first; empty when `rules` is empty.
 */
export function planRetention(recordings: readonly PlannedRecording[], rules: readonly RetentionRule[], nowMs: number): RetentionDeletion[] {
  const usable = rules.filter(isValid);
  if (usable.length === 0) return [];
  const oldestFirst = withRenditions(recordings).sort((a, b) => a.startedAtMs - b.startedAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const deleted = new Map<string, RetentionReason>();
  const ordered = [...usable.filter((rule) => rule.sourceUrl !== null), ...usable.filter((rule) => rule.sourceUrl === null)];
  for (const rule of ordered) {
    const inScope = () => oldestFirst.filter((r) => !deleted.has(r.id) && (rule.sourceUrl === null || r.sourceUrl === rule.sourceUrl));
    const scope = { sourceUrl: rule.sourceUrl, sourceName: rule.sourceName };
    if (rule.maxAgeDays !== null) {
      const maxAgeMs = rule.maxAgeDays * DAY_MS;
      for (const recording of inScope()) {
        if (recording.status !== 'recording' && nowMs - recordingEndMs(recording) > maxAgeMs) {
          deleted.set(recording.id, { kind: 'max-age', maxAgeDays: rule.maxAgeDays, ...scope });
        }
      }
    }
    if (rule.maxBytes !== null) {
      const kept = inScope();
      let totalBytes = kept.reduce((sum, r) => sum + r.bytes, 0);
      // The newest finished recording is never deleted for size: a rule keeps the newest N GB,
      // it does not throw away the one recording just made because it alone is larger.
      const newestFinished = kept.findLast((r) => r.status !== 'recording');
      for (const recording of kept) {
        if (totalBytes <= rule.maxBytes) break;
        if (recording.status === 'recording' || recording === newestFinished) continue;
        deleted.set(recording.id, { kind: 'max-bytes', maxBytes: rule.maxBytes, ...scope });
        totalBytes -= recording.bytes;
      }
    }
  }
  return oldestFirst.flatMap((r) => {
    const reason = deleted.get(r.id);
    return reason ? [{ recordingId: r.id, reason }] : [];
  });
}

function isValid(rule: RetentionRule): boolean {
  try {
    validateRetentionRule(rule);
    return true;
  } catch {
    return false;
  }
}
