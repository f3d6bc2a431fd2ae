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
