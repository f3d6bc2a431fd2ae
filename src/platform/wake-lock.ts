/**
 * Keeps the screen awake (Screen Wake Lock API) while `held` is true: the lock is requested
 * when it is first wanted, requested again whenever the page becomes visible (browsers release
 * it when a page is hidden), and released when no longer wanted.
 */
export class ScreenWakeLock {
  private sentinel: WakeLockSentinel | null = null;
  private wanted = false;
  private readonly onVisible = () => {
    if (document.visibilityState === 'visible' && this.wanted) void this.acquire();
  };

  constructor() {
    document.addEventListener('visibilitychange', this.onVisible);
  }

  /** Whether the screen is being kept awake right now. */
  get active(): boolean {
    return this.sentinel !== null && !this.sentinel.released;
  }

  /** Wants (true) or no longer wants (false) the screen kept awake. */
  async hold(wanted: boolean): Promise<void> {
    this.wanted = wanted;
    if (wanted) await this.acquire();
    else await this.releaseLock();
  }

  /** Releases the lock and stops listening to visibility changes. */
  async dispose(): Promise<void> {
    document.removeEventListener('visibilitychange', this.onVisible);
    this.wanted = false;
    await this.releaseLock();
  }

  private async acquire(): Promise<void> {
    if (this.active || !('wakeLock' in navigator) || document.visibilityState !== 'visible') return;
    try {
      const sentinel = await navigator.wakeLock.request('screen');
      // hold(false) may have come while the request was pending: give the lock straight back.
      if (this.wanted) this.sentinel = sentinel;
      else await sentinel.release();
    } catch {
      this.sentinel = null; // refused (battery saver, permissions policy): recording goes on regardless
    }
  }

  private async releaseLock(): Promise<void> {
    const sentinel = this.sentinel;
    this.sentinel = null;
    await sentinel?.release().catch(() => undefined);
  }
}
