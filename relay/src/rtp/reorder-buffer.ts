/**
 * A small jitter/reorder buffer for RTP packets of one source: packets come out in sequence
 * number order, each at most once. A missing packet is waited for while the buffer holds at
 * most `windowPackets` packets and the oldest has waited at most `maxDelayMs`; then it is
 * skipped (counted as lost). A packet arriving after its place was released or skipped is
 * dropped as late; a second copy of a packet is dropped as a duplicate. Sequence numbers are
 * 16 bits and wrap (RFC 3550 section 5.1); they are extended here as in appendix A.1.
 */
import type { RtpPacket } from '../rtsp/types.ts';

/** Options of {@link RtpReorderBuffer}. */
export interface ReorderBufferOptions {
  /** Most packets held while waiting for a missing one. Defaults to 64. */
  windowPackets?: number;
  /** Longest a packet is held while waiting for a missing one, in ms. Defaults to 200. */
  maxDelayMs?: number;
  /** Called with each released packet, in sequence order. */
  onPacket: (packet: RtpPacket) => void;
}

/** What {@link RtpReorderBuffer.push} did with a packet. */
export type ReorderVerdict = 'accepted' | 'duplicate' | 'late';

/** Counts kept by {@link RtpReorderBuffer}. */
export interface ReorderCounts {
  /** Packets released, in order. */
  released: number;
  /** Sequence numbers given up on (never arrived in time): lost for the consumer. */
  skipped: number;
  /** Copies of packets already held or released, dropped. */
  duplicates: number;
  /** Packets arriving after their place was released or skipped, dropped. */
  late: number;
}

/** A forward jump this large (in packets) is a sequence restart, not a loss. Matches RFC 3550 A.1's MAX_DROPOUT. */
const RESYNC_JUMP = 3000;
/** How far back released sequence numbers are remembered, to tell duplicates from late packets. */
const HISTORY = 1024;

/** See the module description. Call {@link flushDue} from a timer so a stalled stream still releases what it holds. */
export class RtpReorderBuffer {
  private readonly windowPackets: number;
  private readonly maxDelayMs: number;
  private readonly onPacket: (packet: RtpPacket) => void;
  /** Held packets by extended sequence number, with their arrival time in ms. */
  private readonly held = new Map<number, { packet: RtpPacket; arrivalMs: number }>();
  /** Extended sequence number of the next packet to release; null before the first packet. */
  private nextExt: number | null = null;
  /** Extended sequence numbers released lately (bounded), to name duplicates. */
  private readonly releasedRecently = new Set<number>();
  private readonly counts: ReorderCounts = { released: 0, skipped: 0, duplicates: 0, late: 0 };

  /** @throws RangeError when windowPackets is not an integer of 1 to 1024 or maxDelayMs is negative. */
  constructor(options: ReorderBufferOptions) {
    this.windowPackets = options.windowPackets ?? 64;
    this.maxDelayMs = options.maxDelayMs ?? 200;
    this.onPacket = options.onPacket;
    if (!Number.isInteger(this.windowPackets) || this.windowPackets < 1 || this.windowPackets > HISTORY) {
      throw new RangeError(`windowPackets must be an integer from 1 to ${HISTORY}, got ${this.windowPackets}`);
    }
    if (!(this.maxDelayMs >= 0)) throw new RangeError(`maxDelayMs must be 0 or more, got ${this.maxDelayMs}`);
  }

  /** Counts so far. */
  get stats(): Readonly<ReorderCounts> {
    return { ...this.counts };
  }

  /** Packets held now. */
  get heldPackets(): number {
    return this.held.size;
  }

  /**
   * Takes an arrived packet; releases whatever is then in order, and skips missing packets
   * when the window is full or the oldest held packet waited `maxDelayMs`.
   * @param nowMs Arrival time in ms on a steady clock.
   */
  push(packet: RtpPacket, nowMs: number): ReorderVerdict {
    if (this.nextExt === null) {
      this.nextExt = packet.sequenceNumber & 0xffff;
    }
    const ext = extend(packet.sequenceNumber, this.nextExt);
    if (ext < this.nextExt) {
      if (this.releasedRecently.has(ext)) {
        this.counts.duplicates += 1;
        return 'duplicate';
      }
      if (this.nextExt - ext <= HISTORY) {
        this.counts.late += 1;
        return 'late';
      }
    }
    if (ext < this.nextExt || ext - this.nextExt >= RESYNC_JUMP) {
      // A restart of the sequence (or a jump far back): release what is held, then follow it.
      this.releaseAll();
      this.nextExt = ext;
      this.releasedRecently.clear();
    }
    if (this.held.has(ext)) {
      this.counts.duplicates += 1;
      return 'duplicate';
    }
    this.held.set(ext, { packet, arrivalMs: nowMs });
    this.releaseInOrder();
    this.flushDue(nowMs);
    return 'accepted';
  }

  /** Skips missing packets while the window is over-full or the oldest held packet is older than `maxDelayMs`. */
  flushDue(nowMs: number): void {
    while (this.held.size > 0 && (this.held.size > this.windowPackets || this.oldestArrivalMs() + this.maxDelayMs <= nowMs)) {
      this.skipToLowestHeld();
      this.releaseInOrder();
    }
  }

  /** Releases everything held, skipping gaps (at the end of a session). */
  flush(): void {
    this.releaseAll();
  }

  private releaseAll(): void {
    while (this.held.size > 0) {
      this.skipToLowestHeld();
      this.releaseInOrder();
    }
  }

  private releaseInOrder(): void {
    if (this.nextExt === null) return;
    for (let entry = this.held.get(this.nextExt); entry !== undefined; entry = this.held.get(this.nextExt)) {
      this.held.delete(this.nextExt);
      this.remember(this.nextExt);
      this.nextExt += 1;
      this.counts.released += 1;
      this.onPacket(entry.packet);
    }
  }

  private skipToLowestHeld(): void {
    let lowest = Infinity;
    for (const ext of this.held.keys()) if (ext < lowest) lowest = ext;
    if (this.nextExt !== null && lowest !== Infinity && lowest > this.nextExt) {
      this.counts.skipped += lowest - this.nextExt;
      this.nextExt = lowest;
    }
  }

  private oldestArrivalMs(): number {
    let oldest = Infinity;
    for (const { arrivalMs } of this.held.values()) if (arrivalMs < oldest) oldest = arrivalMs;
    return oldest;
  }

  private remember(ext: number): void {
    this.releasedRecently.add(ext);
    this.releasedRecently.delete(ext - HISTORY);
  }
}

/** The extended sequence number of a 16-bit one nearest to `reference` (RFC 3550 A.1's unwrapping). */
export function extend(sequenceNumber: number, reference: number): number {
  const delta = ((((sequenceNumber & 0xffff) - (reference & 0xffff)) & 0xffff) ^ 0x8000) - 0x8000;
  return reference + delta;
}
