/** Inputs of {@link playlistReloadDelayMs}. */
export interface ReloadTimingInput {
  /** EXT-X-TARGETDURATION of the last load, in seconds. */
  targetDurationSec: number;
  /** Whether the last load brought a new segment (or EXT-X-ENDLIST). */
  changed: boolean;
  /** When the last load began, in ms on the same clock as `nowMs`. */
  loadStartedAtMs: number;
  /** Now, in ms. */
  nowMs: number;
}

/**
 * How long to wait before reloading a live media playlist, in milliseconds, as RFC 8216
 * section 6.3.4 says: at least the target duration after the last load began when that load
 * changed the playlist, and one-half the target duration when it had not changed. Time spent
 * loading counts towards the wait; the result is never negative.
 *
 * "Changed" is judged by new segments rather than by the text, so a server that rewrites
 * tokens in its URIs on every request does not make the client poll twice as often.
 */
export function playlistReloadDelayMs(input: ReloadTimingInput): number {
  const factor = input.changed ? 1 : 0.5;
  const dueAtMs = input.loadStartedAtMs + input.targetDurationSec * 1000 * factor;
  return Math.max(0, Math.round(dueAtMs - input.nowMs));
}
