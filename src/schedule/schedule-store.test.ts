import { afterEach, describe, expect, it } from 'vitest';
import { deleteTestDatabase } from '../storage/test-fixtures.ts';
import { ScheduleStore, type ScheduleInput } from './schedule-store.ts';
import { ScheduleError, type ScheduleRun } from './types.ts';

const T0 = Date.parse('2026-06-01T12:00:00Z');
const MIN = 60_000;

const opened: ScheduleStore[] = [];
const names: string[] = [];

/** A fresh database; `count` ScheduleStore instances on it (as if in as many tabs). */
async function openStores(count = 1): Promise<ScheduleStore[]> {
  const name = 'test-' + crypto.randomUUID();
  names.push(name);
  const stores = [];
  for (let i = 0; i < count; i++) stores.push(await ScheduleStore.open(name));
  opened.push(...stores);
  return stores;
}

afterEach(async () => {
  for (const store of opened.splice(0)) store.close();
  for (const name of names.splice(0)) {
    await deleteTestDatabase(name);
  }
});

function input(patch: Partial<ScheduleInput> = {}): ScheduleInput {
  return {
    sourceUrl: 'https://radio.example/live.m3u8',
    stationName: 'Radio',
    programme: 'Early Show',
    rule: { kind: 'cron', expression: '45 5 * * 5' },
    length: { kind: 'until', endTime: '07:00' },
    titleTemplate: '{station} {programme} {date}',
    tags: {},
    enabled: true,
    timeZone: 'Europe/London',
    ...patch,
  };
}

function run(scheduleId: string, startAtMs: number, patch: Partial<ScheduleRun> = {}): ScheduleRun {
  return { scheduleId, startAtMs, endAtMs: startAtMs + MIN, status: 'running', recordingId: null, startedAtMs: startAtMs, lateByMs: 0, message: null, ...patch };
}

describe('ScheduleStore', () => {
  it('create validates, stores, and looks at windows from the creation instant on', async () => {
    const [store] = await openStores();
    await expect(store!.create(input({ rule: { kind: 'cron', expression: '61 * * * *' } }), T0)).rejects.toMatchObject({ name: 'ScheduleError', field: 'rule' });
    await expect(store!.create(input({ sourceUrl: 'file:///x.m3u8' }), T0)).rejects.toBeInstanceOf(ScheduleError);
    expect(await store!.list()).toEqual([]);

    const created = await store!.create(input(), T0);
    expect(created).toMatchObject({ ...input(), createdAtMs: T0, updatedAtMs: T0, evaluatedUntilMs: T0 });
    expect(await store!.get(created.id)).toEqual(created);
    const second = await store!.create(input({ programme: 'Late Show' }), T0 + 1);
    expect((await store!.list()).map((s) => s.id)).toEqual([created.id, second.id]);
  });

  it('update moves evaluatedUntilMs to now for a changed rule or a re-enabled schedule, and keeps it otherwise', async () => {
    const [store] = await openStores();
    const { id } = await store!.create(input(), T0);

    const renamed = await store!.update(id, input({ programme: 'Renamed', length: { kind: 'duration', durationSec: 60 } }), T0 + 10 * MIN);
    expect(renamed).toMatchObject({ programme: 'Renamed', updatedAtMs: T0 + 10 * MIN, evaluatedUntilMs: T0, createdAtMs: T0 });

    const retimed = await store!.update(id, input({ rule: { kind: 'cron', expression: '0 6 * * 5' } }), T0 + 20 * MIN);
    expect(retimed.evaluatedUntilMs).toBe(T0 + 20 * MIN);

    expect((await store!.setEnabled(id, false, T0 + 30 * MIN)).evaluatedUntilMs).toBe(T0 + 20 * MIN);
    // Still disabled: saving it again does not move it.
    expect((await store!.update(id, input({ rule: { kind: 'cron', expression: '0 6 * * 5' }, enabled: false }), T0 + 35 * MIN)).evaluatedUntilMs).toBe(T0 + 20 * MIN);
    const reenabled = await store!.setEnabled(id, true, T0 + 40 * MIN);
    expect(reenabled).toMatchObject({ enabled: true, evaluatedUntilMs: T0 + 40 * MIN, rule: { kind: 'cron', expression: '0 6 * * 5' } });
    expect(await store!.get(id)).toEqual(reenabled);

    await expect(store!.update(id, input({ timeZone: 'Nowhere/Land' }), T0 + 50 * MIN)).rejects.toMatchObject({ field: 'timeZone' });
    expect(await store!.get(id)).toEqual(reenabled);
  });

  it('a schedule saved, retimed or turned on while one of its windows is open is looked at from just before that window', async () => {
    const [store] = await openStores();
    // 13:00-13:10 London (T0 is 13:00 BST) every day.
    const daily = input({ rule: { kind: 'cron', expression: '0 13 * * *' }, length: { kind: 'duration', durationSec: 600 } });
    expect((await store!.create(daily, T0 + 2 * MIN)).evaluatedUntilMs).toBe(T0 - 1);
    expect((await store!.create(daily, T0 + 10 * MIN)).evaluatedUntilMs).toBe(T0 + 10 * MIN);
    expect((await store!.create(input({ rule: { kind: 'once', startAtMs: T0 }, length: { kind: 'duration', durationSec: 60 } }), T0 + 30_000)).evaluatedUntilMs).toBe(T0 - 1);
    // Saved turned off, nothing is looked at until it is turned on.
    const { id } = await store!.create({ ...daily, enabled: false }, T0 - MIN);
    expect((await store!.setEnabled(id, true, T0 + 5 * MIN)).evaluatedUntilMs).toBe(T0 - 1);
    const retimed = await store!.update(id, { ...daily, rule: { kind: 'cron', expression: '5 13 * * *' } }, T0 + 6 * MIN);
    expect(retimed.evaluatedUntilMs).toBe(T0 + 5 * MIN - 1);
  });

  it('markEvaluated only moves forward', async () => {
    const [store] = await openStores();
    const { id } = await store!.create(input(), T0);
    await store!.markEvaluated(id, T0 + 5 * MIN);
    await store!.markEvaluated(id, T0 + MIN);
    expect((await store!.get(id))!.evaluatedUntilMs).toBe(T0 + 5 * MIN);
  });

  it('claimRun creates a window’s run once: later claims of it return false and change nothing', async () => {
    const [store] = await openStores();
    const { id } = await store!.create(input(), T0);
    expect(await store!.claimRun(run(id, T0 + MIN))).toBe(true);
    expect(await store!.claimRun(run(id, T0 + MIN, { status: 'missed', message: 'second' }))).toBe(false);
    expect(await store!.recentRuns(0)).toEqual([run(id, T0 + MIN)]);
    expect(await store!.claimRun(run(id, T0 + 2 * MIN))).toBe(true);
  });

  it('two stores on one database racing for the same windows: each window is won exactly once', async () => {
    const [a, b] = await openStores(2);
    const { id } = await a!.create(input(), T0);
    const starts = Array.from({ length: 20 }, (_, i) => T0 + i * MIN);
    const results = await Promise.all(starts.flatMap((start) => [a!.claimRun(run(id, start, { message: 'a' })), b!.claimRun(run(id, start, { message: 'b' }))]));
    const stored = (await b!.recentRuns(0)).reverse();
    expect(stored.map((r) => r.startAtMs)).toEqual(starts);
    for (const [i, start] of starts.entries()) {
      const [wonA, wonB] = [results[2 * i], results[2 * i + 1]];
      expect(wonA !== wonB, `window ${start}`).toBe(true);
      expect(stored[i]!.message).toBe(wonA ? 'a' : 'b');
    }
  });

  it('updateRun patches a run; runningRuns lists the running ones; recentRuns is newest first from `sinceMs` on', async () => {
    const [store] = await openStores();
    const one = await store!.create(input(), T0);
    const two = await store!.create(input({ programme: 'Other' }), T0);
    for (const [scheduleId, start] of [[one.id, T0 + 3 * MIN], [two.id, T0 + MIN], [one.id, T0 + 2 * MIN], [two.id, T0 + 4 * MIN]] as const) {
      await store!.claimRun(run(scheduleId, start));
    }
    await store!.updateRun(one.id, T0 + 3 * MIN, { status: 'complete', recordingId: 'rec-1', message: 'done' });
    await store!.updateRun(one.id, T0 + 99 * MIN, { status: 'failed' }); // Unknown: ignored.

    expect((await store!.recentRuns(T0 + 2 * MIN)).map((r) => [r.scheduleId, r.startAtMs])).toEqual([[two.id, T0 + 4 * MIN], [one.id, T0 + 3 * MIN], [one.id, T0 + 2 * MIN]]);
    expect((await store!.recentRuns(0)).find((r) => r.startAtMs === T0 + 3 * MIN)).toEqual(run(one.id, T0 + 3 * MIN, { status: 'complete', recordingId: 'rec-1', message: 'done' }));
    expect((await store!.runningRuns()).map((r) => r.startAtMs).sort()).toEqual([T0 + MIN, T0 + 2 * MIN, T0 + 4 * MIN]);
  });

  it('delete removes the schedule and its runs, and no other schedule’s', async () => {
    const [store] = await openStores();
    const gone = await store!.create(input(), T0);
    const kept = await store!.create(input({ programme: 'Kept' }), T0);
    await store!.claimRun(run(gone.id, T0 + MIN));
    await store!.claimRun(run(gone.id, T0 + 2 * MIN));
    await store!.claimRun(run(kept.id, T0 + MIN));
    await store!.delete(gone.id);
    expect(await store!.get(gone.id)).toBeUndefined();
    expect((await store!.list()).map((s) => s.id)).toEqual([kept.id]);
    expect(await store!.recentRuns(0)).toEqual([run(kept.id, T0 + MIN)]);
    // Its windows can be claimed afresh (nothing of it is left behind).
    expect(await store!.claimRun(run(gone.id, T0 + MIN))).toBe(true);
  });

  it('tells this instance and another on the same database about changes', async () => {
    const [a, b] = await openStores(2);
    const seen = (store: ScheduleStore) => new Promise<string | null>((resolve) => store.on('change', ({ scheduleId }) => resolve(scheduleId), { once: true }));
    const [here, there] = [seen(a!), seen(b!)];
    const created = await a!.create(input(), T0);
    expect(await here).toBe(created.id);
    expect(await there).toBe(created.id);

    const afterClaim = seen(b!);
    await a!.claimRun(run(created.id, T0 + MIN));
    expect(await afterClaim).toBe(created.id);
    const afterDelete = seen(a!);
    await b!.delete(created.id);
    expect(await afterDelete).toBe(created.id);
  });
});
