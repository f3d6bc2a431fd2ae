/**
 * What the RTP depacketizers (`rtp/h264`, `rtp/h265`, `rtp/aac`) hand to the live HLS
 * packager: whole access units with their RTP timestamp, no RTP framing left.
 */

/**
 * One video access unit (ITU-T H.264 section 7.4.1.2.3, H.265 section 7.4.2.4.4): every NAL
 * unit of one picture, in decoding order.
 */
export interface VideoAccessUnit {
  /** `Uint8Array[]`, one NAL unit each, header included, no start codes and no length prefixes. */
  nalUnits: Uint8Array[];
  /** 32-bit RTP timestamp (the PTS) in the track clock, 90 kHz for video (RFC 6184 section 5.1). */
  rtpTimestamp: number;
  /** True when the access unit holds an IDR picture (H.264) or an IRAP picture (H.265). */
  keyframe: boolean;
}

/** One AAC access unit (a raw_data_block, no ADTS header) and its RTP timestamp. */
export interface AudioAccessUnit {
  /** The raw AAC frame, as carried by RFC 3640 section 3.2.3. */
  data: Uint8Array;
  /** 32-bit RTP timestamp (the PTS) in the track clock, the audio sample rate for AAC. */
  rtpTimestamp: number;
}

/** Counters every depacketizer keeps, for the camera status and the tests. */
export interface DepacketizerStats {
  /** Access units handed out. */
  accessUnits: number;
  /** NAL units (or AAC frames) dropped because a fragment of them was lost. */
  droppedUnits: number;
  /** Packets dropped because they broke the payload format (too short, bad header, unsupported type). */
  malformedPackets: number;
}

/** Adds one to the 16-bit RTP sequence number (RFC 3550 section 5.1), wrapping at 65536. */
export function nextSequenceNumber(sequenceNumber: number): number {
  return (sequenceNumber + 1) & 0xffff;
}

/**
 * Joins two pieces of one picture that share an RTP timestamp into one access unit: `first`'s
 * NAL units, then `second`'s, a keyframe when either holds a keyframe NAL unit. Neither input
 * is changed. Every packet of an access unit carries its timestamp (RFC 6184 section 5.1,
 * RFC 7798 section 4.1), so two with the same one are the same picture.
 */
export function joinAccessUnits(first: VideoAccessUnit, second: VideoAccessUnit): VideoAccessUnit {
  return { nalUnits: [...first.nalUnits, ...second.nalUnits], rtpTimestamp: first.rtpTimestamp, keyframe: first.keyframe || second.keyframe };
}
