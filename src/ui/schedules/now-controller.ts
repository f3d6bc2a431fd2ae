import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Keeps a host's idea of "now" fresh for display: `nowMs` is the wall clock, re-read and the
 * host re-rendered every `intervalMs` while connected. It only refreshes what is shown ("next
 * run" times); the scheduler keeps its own time.
 */
export class NowController implements ReactiveController {
  nowMs = Date.now();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly intervalMs = 30_000,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.nowMs = Date.now();
    this.timer = setInterval(() => this.refresh(), this.intervalMs);
  }

  hostDisconnected(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Re-reads the clock and asks the host to render again. */
  refresh(): void {
    this.nowMs = Date.now();
    this.host.requestUpdate();
  }
}
