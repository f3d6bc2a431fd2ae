import { AbortedError } from './errors.ts';
import type { PlaylistSegment } from './playlist.ts';
import { waitForWake } from './wake-waiter.ts';

/**
 * The segments waiting to be fetched, in media sequence order, between the playlist poller
 * (producer) and the segment downloaders (consumers: one for a live stream, several for a
 * VOD). Each segment is handed to exactly one consumer.
 */
export class SegmentQueue {
  private items: PlaylistSegment[] = [];
  /** Index of the next item in `items`: taking one is O(1) even for a 100,000-segment VOD. */
  private head = 0;
  private closed = false;
  /** Consumers waiting in {@link next}. */
  private readonly waiters = new Set<() => void>();

  /** Adds segments at the end. Ignored after {@link close}. */
  push(segments: readonly PlaylistSegment[]): void {
    if (this.closed || segments.length === 0) return;
    for (const segment of segments) this.items.push(segment);
    this.wakeAll();
  }

  /** No more segments will come; `next` returns null once the queue is empty. */
  close(): void {
    this.closed = true;
    this.wakeAll();
  }

  private wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** Segments waiting. */
  get size(): number {
    return this.items.length - this.head;
  }

  /**
   * The next segment, waiting for one if needed; null when closed and empty.
   * @throws AbortedError when `signal` aborts while waiting.
   */
  async next(signal: AbortSignal): Promise<PlaylistSegment | null> {
    for (;;) {
      if (signal.aborted) throw new AbortedError();
      const item = this.items[this.head];
      if (item) {
        this.head += 1;
        if (this.head >= 1024 && this.head * 2 >= this.items.length) {
          this.items = this.items.slice(this.head);
          this.head = 0;
        }
        return item;
      }
      if (this.closed) return null;
      await waitForWake(this.waiters, signal);
    }
  }
}
