import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { RecordingStore } from './recording-store.ts';
import { RetentionKeeper, type RetentionKeeperEvents, type RetentionTrigger } from './retention-keeper.ts';
import { DAY_MS, RetentionRuleError, type RetentionRule } from './retention.ts';
import { SettingsStore } from './settings-store.ts';
import { newRecording, openTestStore, type TestStore } from './test-fixtures.ts';
import type { Recording } from './types.ts';

const SOURCE = 'https://radio.example/live.m3u8';
const OTHER = 'https://other.example/live.m3u8';
const T0 = 1_800_000_000_000;

let t: TestStore;
let store: RecordingStore;
let settings: SettingsStore;
let keeper: RetentionKeeper;
let nowMs: number;

beforeEach(async () => {
  t = await openTestStore();
  store = t.store;
  settings = await SettingsStore.open(t.dbName);
  nowMs = T0;
  keeper = new RetentionKeeper(store, settings, { logMaxEntries: 3, now: () => nowMs });
});

afterEach(async () => {
  keeper.stop();
  settings.close();
  await t.dispose();
});

/** A recording of `sourceUrl` started at `startedAtMs` holding `segmentBytes`, then given `status`. */
async function recording(sourceUrl: string, startedAtMs: number, segmentBytes: number[], status: Recording['status'] = 'complete'): Promise<Recording> {
  const created = await store.create(newRecording({ sourceUrl, title: `${sourceUrl} at ${startedAtMs}`, startedAtMs }));
  for (const [msn, bytes] of segmentBytes.entries()) {
    await store.appendSegment({ recordingId: created.id, msn, durationSec: 2, discontinuity: false, programDateTimeMs: null, data: new Blob([new Uint8Array(bytes)]) });
  }
  if (status === 'recording') return (await store.get(created.id))!;
  return store.update(created.id, { status, endedAtMs: startedAtMs + 60_000 });
}

function rule(sourceUrl: string | null, maxBytes: number | null, maxAgeDays: number | null = null): RetentionRule {
  return { sourceUrl, sourceName: sourceUrl === null ? 'All sources' : 'Radio', maxBytes, maxAgeDays };
}

/** Resolves with the keeper's next `applied` event for `trigger`. */
function nextApplied(trigger: RetentionTrigger): Promise<RetentionKeeperEvents['applied']> {
  return new Promise((resolve) => {
    const off = keeper.on('applied', (applied) => {
      if (applied.trigger !== trigger) return;
      off();
      resolve(applied);
    });
  });
}

const titles = async () => (await store.list()).map((r) => r.title).sort();

describe('rules in IndexedDB', () => {
  test('saved rules are read back by another connection; saving for the same source replaces, the all-sources rule comes last', async () => {
    await keeper.saveRule(rule(null, 5000));
    await keeper.saveRule(rule(SOURCE, 1000, 7));
    await keeper.saveRule(rule(OTHER, null, 2));
    await keeper.saveRule(rule(SOURCE, 2000));

    const again = await SettingsStore.open(t.dbName);
    try {
      expect(await again.get('retentionRules')).toEqual([rule(SOURCE, 2000), rule(OTHER, null, 2), rule(null, 5000)]);
    } finally {
      again.close();
    }
    await keeper.removeRule(SOURCE);
    await keeper.removeRule(null);
    expect(await keeper.rules()).toEqual([rule(OTHER, null, 2)]);
  });

  test('a rule without a usable limit is refused and nothing is stored', async () => {
    await expect(keeper.saveRule(rule(SOURCE, null, null))).rejects.toThrow(RetentionRuleError);
    await expect(keeper.saveRule(rule(SOURCE, 0))).rejects.toThrow('Keep newest (GB) must be a number above 0.');
    expect(await settings.get('retentionRules')).toBeUndefined();
  });
});

describe('applying the rules', () => {
  test('with no rule, nothing is deleted: not at start, not when a recording finishes', async () => {
    await recording(SOURCE, T0 - 400 * DAY_MS, [5000, 5000]);
    const running = await recording(SOURCE, T0 - 1000, [100], 'recording');
    expect(await keeper.start()).toEqual([]);

    const applied = nextApplied('recording-finished');
    await store.update(running.id, { status: 'complete', endedAtMs: T0 });
    expect((await applied).deleted).toEqual([]);
    expect(await store.list()).toHaveLength(2);
    expect(await keeper.log()).toEqual([]);
  });

  test('saving a size rule deletes the oldest recordings of that source with their segments, and logs why', async () => {
    const oldest = await recording(SOURCE, T0 - 3000, [400, 400]);
    const middle = await recording(SOURCE, T0 - 2000, [500]);
    const newest = await recording(SOURCE, T0 - 1000, [600]);
    const other = await recording(OTHER, T0 - 5000, [9000]);
    await keeper.start();

    const deleted = await keeper.saveRule(rule(SOURCE, 1200));

    expect(deleted.map((d) => d.recordingId)).toEqual([oldest.id]);
    expect(await titles()).toEqual([middle.title, newest.title, other.title].sort());
    expect(await store.listSegments(oldest.id)).toEqual([]);
    expect(await keeper.log()).toEqual([
      { atMs: T0, recordingId: oldest.id, title: oldest.title, startedAtMs: oldest.startedAtMs, bytes: 800, reason: { kind: 'max-bytes', maxBytes: 1200, sourceUrl: SOURCE, sourceName: 'Radio' } },
    ]);
  });

  test('a recording in progress is kept; once it finishes the rules apply to it', async () => {
    const running = await recording(SOURCE, T0 - 10 * DAY_MS, [300], 'recording');
    await keeper.start();
    nowMs = T0 + 30 * DAY_MS;

    expect(await keeper.saveRule(rule(SOURCE, null, 1))).toEqual([]);
    expect(await store.get(running.id)).toBeDefined();

    const applied = nextApplied('recording-finished');
    await store.update(running.id, { status: 'interrupted', endedAtMs: T0 - 9 * DAY_MS });
    const { deleted } = await applied;
    expect(deleted.map((d) => [d.recordingId, d.reason.kind])).toEqual([[running.id, 'max-age']]);
    expect(await store.get(running.id)).toBeUndefined();
  });

  test('segments stored during a recording do not apply the rules; only its end does', async () => {
    await keeper.saveRule(rule(null, 1000));
    await keeper.start();
    const triggers: RetentionTrigger[] = [];
    keeper.on('applied', ({ trigger }) => triggers.push(trigger));
    const firstEnd = nextApplied('recording-finished');
    const older = await recording(SOURCE, T0 - 2000, [700]);
    await firstEnd;
    const running = await recording(SOURCE, T0 - 1000, [200, 200, 200], 'recording');
    expect(await store.get(older.id)).toBeDefined();

    const secondEnd = nextApplied('recording-finished');
    await store.update(running.id, { status: 'complete', endedAtMs: T0 });
    // 700 + 600 bytes are over the cap of 1000: the end of the second recording deletes the older one.
    expect((await secondEnd).deleted.map((d) => d.recordingId)).toEqual([older.id]);
    // Change events are handled in order, so any application caused by the segments would be listed before.
    expect(triggers).toEqual(['recording-finished', 'recording-finished']);
  });

  test('the log keeps the newest entries only, oldest first', async () => {
    for (let i = 0; i < 5; i += 1) await recording(SOURCE, T0 - (10 - i) * 1000, [100]);
    await keeper.start();
    await keeper.saveRule(rule(SOURCE, 100));
    const log = await keeper.log();
    expect(log).toHaveLength(3);
    // Four of the five are deleted (only the newest fits in 100 bytes); the log keeps the last three.
    expect(log.map((entry) => entry.startedAtMs)).toEqual([T0 - 9000, T0 - 8000, T0 - 7000]);
  });
});
