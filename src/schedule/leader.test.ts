import { expect, it } from 'vitest';
import { electLeader, SCHEDULER_LOCK_NAME } from './leader.ts';

/** Requests for `name` holding the lock and waiting for it, as the browser sees them. */
async function lockState(name: string): Promise<{ held: number; pending: number }> {
  const { held = [], pending = [] } = await navigator.locks.query();
  return { held: held.filter((l) => l.name === name).length, pending: pending.filter((l) => l.name === name).length };
}

function candidate(name: string) {
  let elected!: () => void;
  const leader = new Promise<void>((resolve) => (elected = resolve));
  let isLeader = false;
  const teardown = electLeader(() => {
    isLeader = true;
    elected();
  }, name);
  return { leader, teardown, get isLeader() { return isLeader; } };
}

it('elects the first tab; the next one waits in line and takes over when the first gives up', async () => {
  const name = `test-leader-${crypto.randomUUID()}`;
  const first = candidate(name);
  await first.leader;
  const second = candidate(name);
  // The second request is queued behind the held lock: it is not, and cannot yet be, leader.
  await expect.poll(() => lockState(name)).toEqual({ held: 1, pending: 1 });
  expect(second.isLeader).toBe(false);

  first.teardown();
  await second.leader;
  expect(await lockState(name)).toEqual({ held: 1, pending: 0 });
  second.teardown();
  await expect.poll(() => lockState(name)).toEqual({ held: 0, pending: 0 });
});

it('a tab that gives up its place in line never becomes leader', async () => {
  const name = `test-leader-${crypto.randomUUID()}`;
  const first = candidate(name);
  await first.leader;
  const quitter = candidate(name);
  await expect.poll(() => lockState(name)).toEqual({ held: 1, pending: 1 });
  quitter.teardown();
  await expect.poll(() => lockState(name)).toEqual({ held: 1, pending: 0 });

  // A third candidate queued after it is the one that takes over.
  const third = candidate(name);
  await expect.poll(() => lockState(name)).toEqual({ held: 1, pending: 1 });
  first.teardown();
  await third.leader;
  expect(quitter.isLeader).toBe(false);
  third.teardown();
});

it('uses the app’s lock name by default', () => {
  expect(SCHEDULER_LOCK_NAME).toBe('tapedeck-scheduler');
});
