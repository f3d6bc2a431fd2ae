/**
 * Web Locks that mark a recording as being captured by some open tab, so that another tab
 * starting up does not take it for one left behind by a crash (see
 * RecordingStore.recoverInterrupted). A lock is released by the browser when its tab closes
 * or crashes.
 */

function lockName(recordingId: string): string {
  return `tapedeck-recording-${recordingId}`;
}

/** Recordings this tab is capturing now, and who wants to know when that number changes. */
const heldHere = new Set<string>();
const heldHereEvents = new EventTarget();

/** How many recordings this tab is capturing right now. */
export function recordingsHeldHere(): number {
  return heldHere.size;
}

/**
 * Calls `listener` with the number of recordings this tab is capturing whenever it changes.
 * @returns a teardown that removes the listener.
 */
export function onRecordingsHeldHereChange(listener: (count: number) => void): () => void {
  const handler = () => listener(heldHere.size);
  heldHereEvents.addEventListener('change', handler);
  return () => heldHereEvents.removeEventListener('change', handler);
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
  heldHere.add(recordingId);
  heldHereEvents.dispatchEvent(new Event('change'));
  return () => {
    release();
    if (heldHere.delete(recordingId)) heldHereEvents.dispatchEvent(new Event('change'));
  };
}

/** True when some tab of this origin holds the recording's lock. */
export async function isRecordingLockHeld(recordingId: string): Promise<boolean> {
  const snapshot = await navigator.locks.query();
  return (snapshot.held ?? []).some((lock) => lock.name === lockName(recordingId));
}
