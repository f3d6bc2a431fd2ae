/**
 * Wraps an async `run` (e.g. reloading a list from IndexedDB after a change event) so that
 * calls made while it runs do not start runs of their own: they coalesce into one more run
 * after the current one, and every caller's promise settles when the work it asked for is
 * done. Errors reject the callers of that round and do not stop later calls.
 */
export function coalesced(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await run();
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  };
}
