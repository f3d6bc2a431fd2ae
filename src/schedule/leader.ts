/** Name of the Web Lock held by the one tab that runs schedules. */
export const SCHEDULER_LOCK_NAME = 'tapedeck-scheduler';

/**
 * Elects one tab of the origin as the scheduler leader with the Web Locks API: the first tab
 * to ask holds the lock; the others wait in line and one of them takes over when the holder
 * closes or crashes (the browser releases its locks).
 * @param onLeader - called once this tab holds the lock; the lock is kept until the returned
 *   teardown is called.
 * @returns a teardown that gives up the lock, or the place in line.
 */
export function electLeader(onLeader: () => void, lockName: string = SCHEDULER_LOCK_NAME): () => void {
  const abort = new AbortController();
  let release: (() => void) | null = null;
  navigator.locks
    .request(lockName, { signal: abort.signal }, () => {
      onLeader();
      return new Promise<void>((resolve) => (release = resolve));
    })
    .catch(() => undefined);
  return () => {
    abort.abort();
    release?.();
  };
}
