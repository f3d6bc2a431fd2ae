/**
 * The Storage panel's sentences: persistence, usage, retention rules and deletions, in the
 * words the user reads. Sizes use {@link formatBytes} (binary multiples: 1 GB = 2^30 bytes).
 */

import type { RetentionLogEntry, RetentionReason, RetentionRule } from '../../storage/retention.ts';
import type { PersistenceState, StorageEstimateBytes } from '../../storage/storage-estimate.ts';
import { formatBytes } from '../shared/format.ts';

/** Bytes in one GB as the panel reads and shows sizes (2^30, as {@link formatBytes} does). */
export const BYTES_PER_GB = 1024 ** 3;

/** Name shown for the rule over all recordings together. */
export const ALL_SOURCES_NAME = 'All sources';

/** `1 day`, `7 days`, `0.5 days`: a number of days (fractions allowed) in words. */
export function formatDays(days: number): string {
  return `${Number(days.toFixed(3))} ${days === 1 ? 'day' : 'days'}`;
}

/** The persistence answer in a sentence. */
export function describePersistence(state: PersistenceState): string {
  switch (state) {
    case 'persistent':
      return 'Storage is persistent: the browser will not clear recordings on its own.';
    case 'best-effort':
      return 'Storage is not persistent: the browser may clear recordings when space runs low.';
    case 'unsupported':
      return 'This browser does not say whether storage is persistent: it may clear recordings when space runs low.';
  }
}

/** `Using 1.2 GB of 50.0 GB`: usage and quota from a storage estimate. */
export function describeUsage(estimate: StorageEstimateBytes): string {
  return `Using ${formatBytes(estimate.usageBytes)} of ${formatBytes(estimate.quotaBytes)}`;
}

/** Whom a rule is for: `rule for Demo stream`, `rule for all sources`. */
function ruleFor(scope: { sourceUrl: string | null; sourceName: string }): string {
  return scope.sourceUrl === null ? 'rule for all sources' : `rule for ${scope.sourceName}`;
}

/** A saved rule in a sentence, e.g. `Demo stream: keep the newest 1.0 GB and the last 7 days`. */
export function describeRule(rule: RetentionRule): string {
  const limits: string[] = [];
  if (rule.maxBytes !== null) limits.push(`the newest ${formatBytes(rule.maxBytes)}${rule.sourceUrl === null ? ' in all' : ''}`);
  if (rule.maxAgeDays !== null) limits.push(`the last ${formatDays(rule.maxAgeDays)}`);
  return `${rule.sourceUrl === null ? ALL_SOURCES_NAME : rule.sourceName}: keep ${limits.join(' and ')}`;
}

/** Why a rule deleted a recording, e.g. `older than 7 days, rule for Demo stream`. */
export function describeReason(reason: RetentionReason): string {
  const why =
    reason.kind === 'max-age'
      ? `older than ${formatDays(reason.maxAgeDays)}`
      : `beyond the newest ${formatBytes(reason.maxBytes)}${reason.sourceUrl === null ? ' of all recordings' : ''}`;
  return `${why}, ${ruleFor(reason)}`;
}

/** One log line, e.g. `Deleted 'Morning show' (older than 7 days, rule for Demo stream)`. */
export function describeDeletion(entry: RetentionLogEntry): string {
  return `Deleted '${entry.title}' (${describeReason(entry.reason)})`;
}
