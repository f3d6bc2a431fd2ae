import { expect, it } from 'vitest';
import { startWallClock, waitForWallClock } from './wall-clock.ts';

/** Starts a clock and resolves when it has ticked `count` times. */
function ticks(intervalMs: number, count: number) {
  let seen = 0;
  let reached!: () => void;
  const done = new Promise<void>((resolve) => (reached = resolve));
  const teardown = startWallClock(() => {
    seen += 1;
    if (seen === count) reached();
  }, intervalMs);
  return { done, teardown, get count() { return seen; } };
}

it('ticks every intervalMs from its worker, and not at all after teardown', async () => {
  const startedAt = performance.now();
  const clock = ticks(50, 3);
  await clock.done;
  // Three ticks 50 ms apart cannot come sooner than 150 ms after the start (timer slack aside).
  expect(performance.now() - startedAt).toBeGreaterThanOrEqual(140);
  clock.teardown();
  const after = clock.count;

  // A second clock on the same interval ticking twice means at least one more interval passed.
  const witness = ticks(50, 2);
  await witness.done;
  witness.teardown();
  expect(clock.count).toBe(after);
});

it('ticks at once when the page becomes visible again', async () => {
  const clock = ticks(60_000, 1);
  Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
  document.dispatchEvent(new Event('visibilitychange'));
  await clock.done;
  clock.teardown();
  const after = clock.count;
  document.dispatchEvent(new Event('visibilitychange'));
  expect(clock.count).toBe(after);
  delete (document as { visibilityState?: unknown }).visibilityState;
});

it('waitForWallClock resolves when the clock reads the instant, though its timer would come much later', async () => {
  let offsetMs = 0;
  const now = () => Date.now() + offsetMs;
  let reached = false;
  const wait = waitForWallClock(now() + 3_600_000, { now, checkIntervalMs: 50 }).then(() => (reached = true));
  await waitForWallClock(now() + 120, { now, checkIntervalMs: 50 });
  expect(reached).toBe(false);
  offsetMs += 3_600_000; // The clock jumps, as after the machine sleeps.
  await wait;
  expect(reached).toBe(true);
});

it('waitForWallClock resolves at once for an instant past, and when its signal aborts', async () => {
  await waitForWallClock(Date.now() - 1, { now: () => Date.now(), checkIntervalMs: 60_000 });
  const controller = new AbortController();
  const wait = waitForWallClock(Date.now() + 3_600_000, { now: () => Date.now(), checkIntervalMs: 60_000, signal: controller.signal });
  controller.abort();
  await wait;
});
