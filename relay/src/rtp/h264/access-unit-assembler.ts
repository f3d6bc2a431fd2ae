import type { RtpPacket } from '../../rtsp/types.ts';
import { nextSequenceNumber, type DepacketizerStats, type VideoAccessUnit } from '../../hls/access-unit.ts';

/**
 * The part the H.264 (RFC 6184) and H.265 (RFC 7798) depacketizers share: NAL units are
 * gathered into access units that end on the RTP marker bit or when the RTP timestamp changes
 * (RFC 6184 section 5.1, RFC 7798 section 4.1), and fragmentation units are put back together
 * or dropped when a fragment is missing (RFC 6184 section 5.8, RFC 7798 section 4.4.3).
 *
 * A payload-format-specific subclass implements {@link VideoAccessUnitAssembler.readPayload}.
 */
export abstract class VideoAccessUnitAssembler {
  /** Counters since construction. */
  readonly stats: DepacketizerStats = { accessUnits: 0, droppedUnits: 0, malformedPackets: 0 };
  private lastSequenceNumber: number | null = null;
  private pending: VideoAccessUnit | null = null;
  /** Fragments of the NAL unit being reassembled, and its rebuilt header. */
  private fragments: Uint8Array[] | null = null;
  private fragmentHeader: Uint8Array | null = null;
  /** True while the rest of an already-counted broken fragmented NAL unit is skipped. */
  private discarding = false;

  /**
   * Takes the next packet, in sequence-number order (after the reorder buffer).
   * @returns The access units completed by this packet: `[]` means more packets are needed,
   *   which is normal and not an error; at most two (the one a timestamp change closed, and
   *   this packet's own when its marker bit is set). Never throws on bad payloads: they are
   *   counted in {@link stats} and dropped. The packet and its payload are never modified.
   */
  push(packet: RtpPacket): VideoAccessUnit[] {
    const out: VideoAccessUnit[] = [];
    const contiguous = this.lastSequenceNumber === null || packet.sequenceNumber === nextSequenceNumber(this.lastSequenceNumber);
    this.lastSequenceNumber = packet.sequenceNumber;
    if (!contiguous) this.abandonFragment();
    if (this.pending !== null && this.pending.rtpTimestamp !== packet.timestamp) {
      this.abandonFragment();
      this.flush(out);
    }
    if (this.pending === null) this.pending = { nalUnits: [], rtpTimestamp: packet.timestamp, keyframe: false };
    if (!this.readPayload(packet.payload)) this.stats.malformedPackets += 1;
    if (packet.marker) {
      this.abandonFragment();
      this.flush(out);
    }
    return out;
  }

  /**
   * Reads one packet's payload and calls {@link addNalUnit} / {@link startFragment} /
   * {@link continueFragment} / {@link endFragment}.
   * @returns false when the payload breaks the format (it is then counted as malformed).
   */
  protected abstract readPayload(payload: Uint8Array): boolean;

  /** True when a NAL unit starts a keyframe (IDR for H.264, IRAP for H.265). */
  protected abstract isKeyframeNalUnit(nalUnit: Uint8Array): boolean;

  /** Called for each complete NAL unit before it joins the access unit (e.g. to keep parameter sets). */
  protected abstract onNalUnit(nalUnit: Uint8Array): void;

  /** Adds a complete NAL unit (copied) to the current access unit. */
  protected addNalUnit(nalUnit: Uint8Array): void {
    const copy = nalUnit.slice();
    this.onNalUnit(copy);
    const pending = this.pending;
    if (pending === null) return;
    pending.nalUnits.push(copy);
    if (this.isKeyframeNalUnit(copy)) pending.keyframe = true;
  }

  /** First fragment of a NAL unit: `header` is the rebuilt NAL unit header, `data` the fragment payload. */
  protected startFragment(header: Uint8Array, data: Uint8Array): void {
    this.abandonFragment();
    this.discarding = false;
    this.fragmentHeader = header.slice();
    this.fragments = [data.slice()];
  }

  /** A middle fragment; dropped (and counted) when no start fragment came before it. */
  protected continueFragment(data: Uint8Array): void {
    if (this.fragments === null) {
      this.countBrokenFragment();
      return;
    }
    this.fragments.push(data.slice());
  }

  /** The end fragment: the NAL unit is complete. */
  protected endFragment(data: Uint8Array): void {
    if (this.fragments === null || this.fragmentHeader === null) {
      this.countBrokenFragment();
      this.discarding = false;
      return;
    }
    this.fragments.push(data);
    let bytes = this.fragmentHeader.length;
    for (const part of this.fragments) bytes += part.length;
    const nalUnit = new Uint8Array(bytes);
    nalUnit.set(this.fragmentHeader, 0);
    let offset = this.fragmentHeader.length;
    for (const part of this.fragments) {
      nalUnit.set(part, offset);
      offset += part.length;
    }
    this.fragments = null;
    this.fragmentHeader = null;
    this.addNalUnit(nalUnit);
  }

  /** A fragmented NAL unit that cannot be completed (lost fragment, new timestamp): dropped and counted. */
  private abandonFragment(): void {
    if (this.fragments === null) return;
    this.fragments = null;
    this.fragmentHeader = null;
    this.stats.droppedUnits += 1;
    this.discarding = true;
  }

  /** A fragment whose start was lost: the NAL unit is counted once as dropped. */
  private countBrokenFragment(): void {
    if (!this.discarding) this.stats.droppedUnits += 1;
    this.discarding = true;
  }

  private flush(out: VideoAccessUnit[]): void {
    this.discarding = false;
    const pending = this.pending;
    this.pending = null;
    if (pending === null || pending.nalUnits.length === 0) return;
    this.stats.accessUnits += 1;
    out.push(pending);
  }
}
