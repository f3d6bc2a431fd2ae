import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { DAY_MS, planRetention, recordingEndMs, RetentionRuleError, validateRetentionRule, withRenditions, type PlannedRecording, type RetentionRule } from './retention.ts';

const NOW_MS = 1_800_000_000_000;
const RADIO = 'https://radio.example/live.m3u8';
const CAMERA = 'https://camera.example/cam.m3u8';

/** A finished recording of `source`, started `startedDaysAgo` days before NOW_MS and lasting an hour. */
function rec(id: string, source: string, startedDaysAgo: number, bytes: number, status: PlannedRecording['status'] = 'complete'): PlannedRecording {
  const startedAtMs = NOW_MS - startedDaysAgo * DAY_MS;
  return { id, sourceUrl: source, startedAtMs, endedAtMs: status === 'recording' ? null : startedAtMs + 3_600_000, bytes, status };
}

function rule(sourceUrl: string | null, limits: { maxBytes?: number; maxAgeDays?: number }): RetentionRule {
  return { sourceUrl, sourceName: sourceUrl ?? 'All sources', maxBytes: limits.maxBytes ?? null, maxAgeDays: limits.maxAgeDays ?? null };
}

const ids = (plan: { recordingId: string }[]) => plan.map((d) => d.recordingId);

describe('planRetention, by example', () => {
  const library = [rec('r-old', RADIO, 10, 300), rec('r-mid', RADIO, 5, 300), rec('r-new', RADIO, 1, 300), rec('c-old', CAMERA, 9, 500), rec('c-new', CAMERA, 0.5, 500)];

  test('with no rule nothing is deleted, however old or large the recordings', () => {
    expect(planRetention(library, [], NOW_MS)).toEqual([]);
  });

  test('a size rule deletes the oldest recordings of its source until the rest fit, and leaves other sources alone', () => {
    const plan = planRetention(library, [rule(RADIO, { maxBytes: 650 })], NOW_MS);
    expect(plan).toEqual([{ recordingId: 'r-old', reason: { kind: 'max-bytes', maxBytes: 650, sourceUrl: RADIO, sourceName: RADIO } }]);
  });

  test('a size rule smaller than the newest recording still keeps that newest one', () => {
    expect(ids(planRetention(library, [rule(RADIO, { maxBytes: 100 })], NOW_MS))).toEqual(['r-old', 'r-mid']);
  });

  test('an age rule deletes what ended more than N days ago, and only that', () => {
    const plan = planRetention(library, [rule(RADIO, { maxAgeDays: 7 })], NOW_MS);
    expect(plan).toEqual([{ recordingId: 'r-old', reason: { kind: 'max-age', maxAgeDays: 7, sourceUrl: RADIO, sourceName: RADIO } }]);
  });

  test('age counts from the end: a recording that ended exactly N days ago stays', () => {
    const edge: PlannedRecording = { id: 'edge', sourceUrl: RADIO, startedAtMs: NOW_MS - 7 * DAY_MS - 3_600_000, endedAtMs: NOW_MS - 7 * DAY_MS, bytes: 1, status: 'complete' };
    expect(recordingEndMs(edge)).toBe(NOW_MS - 7 * DAY_MS);
    expect(planRetention([edge], [rule(RADIO, { maxAgeDays: 7 })], NOW_MS)).toEqual([]);
    expect(ids(planRetention([edge], [rule(RADIO, { maxAgeDays: 7 })], NOW_MS + 1))).toEqual(['edge']);
  });

  test('the total cap counts every source and runs after the per-source rules, oldest first', () => {
    const plan = planRetention(library, [rule(null, { maxBytes: 1200 }), rule(RADIO, { maxAgeDays: 7 })], NOW_MS);
    expect(plan.map((d) => [d.recordingId, d.reason.kind, d.reason.sourceUrl])).toEqual([
      ['r-old', 'max-age', RADIO],
      ['c-old', 'max-bytes', null],
    ]);
  });

  test('a recording in progress is never deleted, though its bytes count', () => {
    const live = [rec('r-old', RADIO, 3, 300), rec('r-live', RADIO, 0, 900, 'recording')];
    expect(ids(planRetention(live, [rule(RADIO, { maxBytes: 1000, maxAgeDays: 0.001 })], NOW_MS))).toEqual(['r-old']);
    expect(planRetention([rec('only-live', RADIO, 30, 5000, 'recording')], [rule(null, { maxBytes: 1, maxAgeDays: 1 })], NOW_MS)).toEqual([]);
  });

  test('a recording and its alternate renditions count and go as one: the newest is kept with its audio, a rendition is never deleted alone', () => {
    const AUDIO = 'https://radio.example/audio-en.m3u8';
    // A rendition starts a little after its main recording, so it is the newest recording of all.
    const rendition = (id: string, parent: PlannedRecording, bytes: number, status: PlannedRecording['status'] = 'complete'): PlannedRecording => ({
      ...rec(id, AUDIO, 0, bytes, status),
      startedAtMs: parent.startedAtMs + 500,
      parentRecordingId: parent.id,
    });
    const older = rec('older', RADIO, 2, 1000);
    const newest = rec('newest', RADIO, 1, 1000);
    const library = [older, newest, rendition('newest-audio', newest, 100), rendition('older-audio', older, 100)];
    expect(ids(planRetention(library, [rule(null, { maxBytes: 500 })], NOW_MS))).toEqual(['older']);
    // The source's rule counts the renditions' bytes: 2200 in all, over 2150.
    expect(ids(planRetention(library, [rule(RADIO, { maxBytes: 2150 })], NOW_MS))).toEqual(['older']);
    // A rule for a rendition's own URL finds nothing: renditions go with their main recording.
    expect(planRetention(library, [rule(AUDIO, { maxBytes: 1 })], NOW_MS)).toEqual([]);
    // A main recording whose rendition is still being recorded is in progress: kept, where a
    // finished one as old goes.
    const stillRecording = [older, rendition('older-audio', older, 100, 'recording'), newest];
    expect(ids(planRetention(stillRecording, [rule(null, { maxAgeDays: 0.5 })], NOW_MS))).toEqual(['newest']);
    expect(withRenditions(library).map((r) => [r.id, r.bytes])).toEqual([
      ['older', 1100],
      ['newest', 1100],
    ]);
  });

  test('a rule without a usable limit is refused, and skipped if it was stored anyway', () => {
    expect(() => validateRetentionRule(rule(RADIO, {}))).toThrow(RetentionRuleError);
    expect(() => validateRetentionRule(rule(RADIO, { maxBytes: 0 }))).toThrow('Keep newest (GB) must be a number above 0.');
    expect(() => validateRetentionRule(rule(RADIO, { maxAgeDays: Number.NaN }))).toThrow('Keep newest (days) must be a number above 0.');
    expect(() => validateRetentionRule(rule(RADIO, { maxAgeDays: 0.5 }))).not.toThrow();
    expect(planRetention(library, [rule(RADIO, { maxBytes: -5 })], NOW_MS)).toEqual([]);
  });
});

describe('planRetention, properties', () => {
  const sources = [RADIO, CAMERA, 'https://third.example/a.m3u8'];
  const recordingArb = fc.record({
    sourceUrl: fc.constantFrom(...sources),
    startedDaysAgo: fc.double({ min: 0, max: 60, noNaN: true }),
    lengthMs: fc.integer({ min: 0, max: 6 * 3_600_000 }),
    bytes: fc.integer({ min: 0, max: 5_000_000 }),
    status: fc.constantFrom('complete' as const, 'interrupted' as const, 'recording' as const),
  });
  const libraryArb = fc.array(recordingArb, { maxLength: 25 }).map((items) =>
    items.map((item, index): PlannedRecording => {
      const startedAtMs = NOW_MS - Math.round(item.startedDaysAgo * DAY_MS);
      return {
        id: `rec-${index}`,
        sourceUrl: item.sourceUrl,
        startedAtMs,
        endedAtMs: item.status === 'recording' ? null : Math.min(NOW_MS, startedAtMs + item.lengthMs),
        bytes: item.bytes,
        status: item.status,
      };
    }),
  );
  const limitsArb = fc
    .record({ maxBytes: fc.option(fc.integer({ min: 1, max: 30_000_000 })), maxAgeDays: fc.option(fc.double({ min: 0.01, max: 60, noNaN: true })) })
    .filter((limits) => limits.maxBytes !== null || limits.maxAgeDays !== null);
  const rulesArb = fc
    .uniqueArray(fc.record({ sourceUrl: fc.constantFrom<string | null>(null, ...sources), limits: limitsArb }), { selector: (r) => r.sourceUrl, maxLength: 4 })
    .map((items) => items.map(({ sourceUrl, limits }): RetentionRule => ({ sourceUrl, sourceName: sourceUrl ?? 'All sources', ...limits })));

  test('never deletes a recording in progress, never deletes twice, and deletes oldest first', () => {
    fc.assert(
      fc.property(libraryArb, rulesArb, (library, rules) => {
        const plan = planRetention(library, rules, NOW_MS);
        const byId = new Map(library.map((r) => [r.id, r]));
        expect(new Set(ids(plan)).size).toBe(plan.length);
        for (const { recordingId } of plan) expect(byId.get(recordingId)?.status).not.toBe('recording');
        const starts = plan.map((d) => byId.get(d.recordingId)!.startedAtMs);
        expect(starts).toEqual([...starts].sort((a, b) => a - b));
      }),
    );
  });

  test('with no rule, nothing is ever deleted', () => {
    fc.assert(
      fc.property(libraryArb, fc.integer({ min: 0, max: 2 * NOW_MS }), (library, nowMs) => {
        expect(planRetention(library, [], nowMs)).toEqual([]);
      }),
    );
  });

  test('after the plan, every rule holds: size within the limit unless only the newest finished recording and ones in progress remain, nothing finished too old', () => {
    fc.assert(
      fc.property(libraryArb, rulesArb, (library, rules) => {
        const deleted = new Set(ids(planRetention(library, rules, NOW_MS)));
        const kept = library.filter((r) => !deleted.has(r.id));
        for (const rule of rules) {
          const scope = kept.filter((r) => rule.sourceUrl === null || r.sourceUrl === rule.sourceUrl);
          if (rule.maxBytes !== null) {
            const keptBytes = scope.reduce((sum, r) => sum + r.bytes, 0);
            expect(keptBytes <= rule.maxBytes || scope.filter((r) => r.status !== 'recording').length <= 1).toBe(true);
          }
          if (rule.maxAgeDays !== null) {
            for (const r of scope) if (r.status !== 'recording') expect(NOW_MS - recordingEndMs(r)).toBeLessThanOrEqual(rule.maxAgeDays * DAY_MS);
          }
        }
      }),
    );
  });

  test('deletes only what some rule asks for: each deletion names a rule that covers the recording and is broken without it', () => {
    fc.assert(
      fc.property(libraryArb, rulesArb, (library, rules) => {
        const byId = new Map(library.map((r) => [r.id, r]));
        for (const { recordingId, reason } of planRetention(library, rules, NOW_MS)) {
          const recording = byId.get(recordingId)!;
          const owner = rules.find((r) => r.sourceUrl === reason.sourceUrl);
          expect(owner).toBeDefined();
          expect(reason.sourceUrl === null || reason.sourceUrl === recording.sourceUrl).toBe(true);
          if (reason.kind === 'max-age') expect(NOW_MS - recordingEndMs(recording)).toBeGreaterThan(reason.maxAgeDays * DAY_MS);
          else expect(reason.maxBytes).toBe(owner!.maxBytes);
        }
      }),
    );
  });

  test('a size rule keeps the newest: every finished recording it deletes is older than every finished one it keeps in its scope', () => {
    fc.assert(
      fc.property(libraryArb, fc.constantFrom<string | null>(null, ...sources), fc.integer({ min: 1, max: 30_000_000 }), (library, sourceUrl, maxBytes) => {
        const plan = planRetention(library, [rule(sourceUrl, { maxBytes })], NOW_MS);
        const deleted = new Set(ids(plan));
        const scope = library.filter((r) => r.status !== 'recording' && (sourceUrl === null || r.sourceUrl === sourceUrl));
        const newestDeleted = Math.max(...scope.filter((r) => deleted.has(r.id)).map((r) => r.startedAtMs));
        const oldestKept = Math.min(...scope.filter((r) => !deleted.has(r.id)).map((r) => r.startedAtMs));
        expect(newestDeleted <= oldestKept).toBe(true);
      }),
    );
  });
});
