/// <reference lib="webworker" />
/**
 * The scheduler's clock: posts `tick` every `intervalMs`. It runs in a dedicated worker
 * because Chromium throttles chained timers of hidden pages to one wake-up a minute
 * (intensive wake-up throttling) but not the timers of workers.
 */
const scope = self as unknown as DedicatedWorkerGlobalScope;
let timer: ReturnType<typeof setInterval> | null = null;

scope.onmessage = (event: MessageEvent<{ intervalMs: number } | 'stop'>) => {
  if (timer) clearInterval(timer);
  timer = null;
  if (event.data === 'stop') return;
  timer = setInterval(() => scope.postMessage('tick'), event.data.intervalMs);
};
