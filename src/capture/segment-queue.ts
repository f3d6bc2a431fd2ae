import { AbortedError } from './errors.ts';
import type { PlaylistSegment } from './playlist.ts';

/**
 * The segments waiting to be fetched, in media sequence order, between the playlist poller
 * (producer) and the segment downloader (consumer).
 */
export class SegmentQueue {
  private readonly items: PlaylistSegment[] = [];
  private closed = false;
  private wake: (() => void) | null = null;

  /** Adds segments at the end. Ignored after {@link close}. */
  push(segments: readonly PlaylistSegment[]): void {
    if (this.closed || segments.length === 0) return;
    this.items.push(...segments);
    this.wake?.();
  }

  /** No more segments will come; `next` returns null once the queue is empty. */
  close(): void {
    this.closed = true;
    this.wake?.();
  }

  /** Segments waiting. */
  get size(): number {
    return this.items.length;
  }

  /**
   * The next segment, waiting for one if needed; null when closed and empty.
   * @throws AbortedError when `signal` aborts while waiting.
   */
  async next(signal: AbortSignal): Promise<PlaylistSegment | null> {
    for (;;) {
      if (signal.aborted) throw new AbortedError();
      const item = this.items.shift();
      if (item) return item;
      if (this.closed) return null;
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(new AbortedError());
        signal.addEventListener('abort', onAbort, { once: true });
        this.wake = () => {
          signal.removeEventListener('abort', onAbort);
          this.wake = null;
          resolve();
        };
      });
    }
  }
}
