/**
 * Calls `onTick` about every `intervalMs`, driven from a Web Worker so that a hidden tab
 * still ticks on time, and at once whenever the page becomes visible again. The callee must
 * read the wall clock itself: ticks only say "look now".
 * @returns a teardown that stops the clock.
 */
export function startWallClock(onTick: () => void, intervalMs: number): () => void {
  const onVisible = () => {
    if (document.visibilityState === 'visible') onTick();
  };
  document.addEventListener('visibilitychange', onVisible);
  let worker: Worker | null = null;
  let fallback: ReturnType<typeof setInterval> | null = null;
  try {
    worker = new Worker(new URL('./clock-worker.ts', import.meta.url), { type: 'module', name: 'tapedeck-clock' });
    worker.onmessage = () => onTick();
    worker.postMessage({ intervalMs });
  } catch {
    fallback = setInterval(onTick, intervalMs);
  }
  return () => {
    document.removeEventListener('visibilitychange', onVisible);
    worker?.terminate();
    if (fallback) clearInterval(fallback);
  };
}

/** Options of {@link waitForWallClock}. */
export interface WallClockWaitOptions {
  /** The wall clock, in ms since the Unix epoch. */
  now: () => number;
  /** How often the clock is read again, in ms, besides the timer set for the instant itself. */
  checkIntervalMs: number;
  /** Ends the wait early (the promise then resolves too). */
  signal?: AbortSignal;
}

/**
 * Resolves once the wall clock reads `atMs` or later (ms since the Unix epoch), or when
 * `signal` aborts. A timer set for the instant alone comes late after the machine sleeps
 * (timers count awake time) and when the clock is set; this also reads the clock every
 * `checkIntervalMs` from the worker clock of {@link startWallClock} and when the page becomes
 * visible, so it is late by at most about `checkIntervalMs`.
 */
export function waitForWallClock(atMs: number, { now, checkIntervalMs, signal }: WallClockWaitOptions): Promise<void> {
  if (signal?.aborted || now() >= atMs) return Promise.resolve();
  return new Promise((resolve) => {
    const check = () => {
      if (signal?.aborted || now() >= atMs) done();
    };
    // setTimeout holds at most 2^31 - 1 ms; the worker clock covers a longer wait.
    const timer = setTimeout(check, Math.min(atMs - now(), 2 ** 31 - 1));
    const stopClock = startWallClock(check, checkIntervalMs);
    const done = () => {
      clearTimeout(timer);
      stopClock();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    signal?.addEventListener('abort', done, { once: true });
  });
}
