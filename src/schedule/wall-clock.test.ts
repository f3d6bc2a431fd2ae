import { expect, it } from 'vitest';
import { startWallClock } from './wall-clock.ts';

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
