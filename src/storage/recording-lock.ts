/**
 * Web Locks that mark a recording as being captured by some open tab, so that another tab
 * starting up does not take it for one left behind by a crash (see
 * RecordingStore.recoverInterrupted). A lock is released by the browser when its tab closes
 * or crashes.
 */

const LOCK_PREFIX = 'tapedeck-recording-';

function lockName(recordingId: string): string {
  return `${LOCK_PREFIX}${recordingId}`;
}

/**
 * Takes the recording's lock and holds it until the returned function is called.
 * Resolves once the lock is held.
 */
export async function holdRecordingLock(recordingId: string): Promise<() => void> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await new Promise<void>((acquired) => {
    void navigator.locks.request(lockName(recordingId), () => {
      acquired();
      return released;
    });
  });
  return release;
}

/** True when some tab of this origin holds the recording's lock. */
export async function isRecordingLockHeld(recordingId: string): Promise<boolean> {
  const snapshot = await navigator.locks.query();
  return (snapshot.held ?? []).some((lock) => lock.name === lockName(recordingId));
}

/**
 * Resolves once no tab of this origin is capturing a recording: it waits for every recording
 * lock held (by this tab or any other) to be released, then looks again, since a recording
 * may have started meanwhile. Calls `onWaiting` once, when it first has to wait.
 */
export async function whenNoRecordingAnywhere(onWaiting: () => void): Promise<void> {
  let waiting = false;
  for (;;) {
    const held = ((await navigator.locks.query()).held ?? []).flatMap((lock) => (lock.name?.startsWith(LOCK_PREFIX) ? [lock.name] : []));
    if (held.length === 0) return;
    if (!waiting) onWaiting();
    waiting = true;
    // Granted once its holder lets go; given back at once.
    await Promise.all(held.map((name) => navigator.locks.request(name, () => undefined)));
  }
}
