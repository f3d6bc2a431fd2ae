import { AbortedError } from './errors.ts';

/**
 * Waits until the caller wakes `waiters` (calls each function in the set, as
 * `for (const wake of waiters) wake()`), or `signal` aborts. The waiter adds itself to the set
 * and removes itself either way, so the set only ever holds callers still waiting.
 * @throws AbortedError when `signal` aborts first (Stop).
 */
export function waitForWake(waiters: Set<() => void>, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const wake = () => {
      signal.removeEventListener('abort', onAbort);
      waiters.delete(wake);
      resolve();
    };
    const onAbort = () => {
      waiters.delete(wake);
      reject(new AbortedError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    waiters.add(wake);
  });
}
