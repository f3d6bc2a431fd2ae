import { AbortedError } from './errors.ts';
import { waitForWake } from './wake-waiter.ts';

/**
 * The pause switch of a recorder: while paused, the playlist poller and the segment
 * downloaders wait in {@link whilePaused} instead of fetching. A request already under way
 * finishes and is stored. Each pause is counted, so the poller can tell that one happened
 * while it was waiting (and a live stream must rejoin its live edge with an `outage` gap).
 */
export class PauseController {
  private pausedAt: number | null = null;
  private pauseCount = 0;
  /** Length of the pauses that ended, in ms. */
  private endedPausesMs = 0;
  private lastPausedAt: number | null = null;
  private readonly waiters = new Set<() => void>();

  /** True between {@link pause} and {@link resume}. */
  get paused(): boolean {
    return this.pausedAt !== null;
  }

  /** Wall clock of the current pause's start, in ms since the Unix epoch; null when running. */
  get pausedAtMs(): number | null {
    return this.pausedAt;
  }

  /**
   * Time spent paused since creation up to `nowMs`, the pause under way included, in ms.
   * @param nowMs - wall clock, in ms since the Unix epoch.
   */
  pausedMsUntil(nowMs: number): number {
    return this.endedPausesMs + (this.pausedAt === null ? 0 : Math.max(0, nowMs - this.pausedAt));
  }

  /** Wall clock of the latest pause's start, kept after it ends, in ms since the Unix epoch; null before the first. */
  get lastPausedAtMs(): number | null {
    return this.lastPausedAt;
  }

  /** Pauses since creation; a change tells a waiter that a pause came and went. */
  get pauses(): number {
    return this.pauseCount;
  }

  /**
   * Stops fetching from now on.
   * @param nowMs - wall clock, in ms since the Unix epoch.
   * @returns false when already paused (nothing changes).
   */
  pause(nowMs: number): boolean {
    if (this.pausedAt !== null) return false;
    this.pausedAt = nowMs;
    this.lastPausedAt = nowMs;
    this.pauseCount += 1;
    return true;
  }

  /**
   * Lets fetching go on.
   * @param nowMs - wall clock, in ms since the Unix epoch (for {@link pausedMsUntil}).
   * @returns false when not paused (nothing changes).
   */
  resume(nowMs: number): boolean {
    if (this.pausedAt === null) return false;
    this.endedPausesMs += Math.max(0, nowMs - this.pausedAt);
    this.pausedAt = null;
    for (const wake of [...this.waiters]) wake();
    return true;
  }

  /**
   * Resolves at once when running, else once {@link resume} is called.
   * @throws AbortedError when `signal` aborts (Stop) while paused.
   */
  async whilePaused(signal: AbortSignal): Promise<void> {
    while (this.pausedAt !== null) {
      if (signal.aborted) throw new AbortedError();
      await waitForWake(this.waiters, signal);
    }
    if (signal.aborted) throw new AbortedError();
  }
}
