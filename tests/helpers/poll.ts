/** Options for {@link waitFor}. */
export interface WaitForOptions {
  /** Longest total wait, in milliseconds, before giving up with an error. */
  timeoutMs: number;
  /** Pause between two checks, in milliseconds. Defaults to 100. */
  intervalMs?: number;
  /** What is awaited, in words, for the timeout error message ("the playlist to list a segment"). */
  description: string;
}

/**
 * Polls `check` until it returns a value other than `undefined`, and resolves with that value.
 * This is how tests wait on an observable condition (a file appearing, a playlist changing)
 * instead of sleeping for a guessed time: the interval only spaces out checks, and the
 * timeout only bounds the wait.
 *
 * @param check Called once at once, then every `intervalMs` until it yields a value. It may be
 *   async. A check that throws ends the wait at once with that error (use this to stop waiting
 *   when the thing awaited can no longer happen, e.g. its process exited).
 * @returns The first value `check` returned that is not `undefined`.
 * @throws Error `Timed out after <timeoutMs> ms waiting for <description>` when the time runs
 *   out, with the last value's absence noted; or whatever `check` threw.
 */
export async function waitFor<T>(
  check: () => T | undefined | Promise<T | undefined>,
  options: WaitForOptions,
): Promise<T> {
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0) {
      throw new Error(`Timed out after ${options.timeoutMs} ms waiting for ${options.description}`);
    }
    await new Promise<void>((resolve) => setTimeout(resolve, Math.min(intervalMs, remainingMs)));
  }
}
