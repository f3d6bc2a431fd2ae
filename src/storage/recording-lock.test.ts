import { expect, test } from 'vitest';
import { holdRecordingLock, isRecordingLockHeld, whenNoRecordingAnywhere } from './recording-lock.ts';
import { newRecording, openTestStore } from './test-fixtures.ts';

test('a held lock is seen as held, and no longer once released', async () => {
  const id = crypto.randomUUID();
  expect(await isRecordingLockHeld(id)).toBe(false);

  const release = await holdRecordingLock(id);
  expect(await isRecordingLockHeld(id)).toBe(true);
  expect(await isRecordingLockHeld(crypto.randomUUID())).toBe(false);

  // Web Locks release asynchronously once the holder's promise settles, so poll for it.
  release();
  await expect.poll(() => isRecordingLockHeld(id), { timeout: 2_000 }).toBe(false);
});

test('recoverInterrupted with the real locks spares the recording whose lock is held', async () => {
  const { store, dispose } = await openTestStore();
  try {
    const capturing = await store.create(newRecording({ title: 'capturing' }));
    const crashed = await store.create(newRecording({ title: 'crashed' }));
    const release = await holdRecordingLock(capturing.id);
    try {
      expect(await store.recoverInterrupted(isRecordingLockHeld)).toEqual([crashed.id]);
    } finally {
      release();
    }
    expect((await store.get(capturing.id))!.status).toBe('recording');
    expect((await store.get(crashed.id))!.status).toBe('interrupted');
  } finally {
    await dispose();
  }
});

test('whenNoRecordingAnywhere waits for every recording lock, including one started while it waits', async () => {
  expect(await whenNoRecordingAnywhere(() => expect.unreachable('nothing is being recorded'))).toBeUndefined();
  const releaseFirst = await holdRecordingLock(crypto.randomUUID());
  let waitings = 0;
  let done = false;
  const idle = whenNoRecordingAnywhere(() => (waitings += 1)).then(() => (done = true));
  await expect.poll(() => waitings).toBe(1);
  // A second recording starts before the first ends: the wait goes on until both have ended.
  const secondId = crypto.randomUUID();
  const releaseSecond = await holdRecordingLock(secondId);
  releaseFirst();
  // It waits on the second now.
  await expect.poll(async () => ((await navigator.locks.query()).pending ?? []).some((lock) => lock.name?.endsWith(secondId))).toBe(true);
  expect(done).toBe(false);
  releaseSecond();
  await idle;
  expect(waitings).toBe(1);
});
