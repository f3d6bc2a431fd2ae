/**
 * The RTSP client's public shapes, shared by the client (`rtsp/`) and the camera pipeline
 * (`cameras/`). Keep these names stable: both sides are written against them.
 */

/** One media description of the DESCRIBE answer's SDP (RFC 8866 section 5.14), as set up. */
export interface RtspTrack {
  /** SDP media type: `video`, `audio`, or another. */
  mediaType: string;
  /** rtpmap encoding name in upper case: `H264`, `H265`, `MPEG4-GENERIC`, `PCMU`, ... */
  encodingName: string;
  /** RTP clock rate in Hz (90000 for video). */
  clockRateHz: number;
  /** Audio channels from rtpmap, or null when not given. */
  channels: number | null;
  /** RTP payload type (0 to 127). */
  payloadType: number;
  /** fmtp parameters by lower-case name, e.g. `{ 'sprop-parameter-sets': '...', mode: 'AAC-hbr' }`. */
  fmtp: Record<string, string>;
  /** Absolute control URL used for SETUP (RFC 2326 appendix C.1.1). */
  controlUrl: string;
}

/** One RTP packet (RFC 3550 section 5.1); `payload` excludes the header, CSRCs, extension and padding. */
export interface RtpPacket {
  payloadType: number;
  /** 16-bit sequence number as sent. */
  sequenceNumber: number;
  /** 32-bit RTP timestamp in the track's clock rate. */
  timestamp: number;
  ssrc: number;
  marker: boolean;
  payload: Uint8Array;
}

/** Reception statistics of one track (RFC 3550 appendix A.3 and A.8). */
export interface RtpReceptionStats {
  ssrc: number | null;
  packetsReceived: number;
  /** Cumulative packets lost, A.3 (expected minus received; can be negative with duplicates). */
  packetsLost: number;
  /** Lost over expected since the start, 0 to 1. */
  lossRate: number;
  /** Interarrival jitter, A.8, in RTP timestamp units. */
  jitter: number;
  bytesReceived: number;
}

/** What a caller of {@link RtspPlayOptions} receives. */
export interface RtspPlayOptions {
  /** `tcp` = interleaved on the RTSP connection (RFC 2326 section 10.12), the default; `udp` = RTP/AVP over UDP. */
  transport?: 'tcp' | 'udp';
  /** Which tracks to SETUP; default all. */
  selectTracks?: (tracks: RtspTrack[]) => RtspTrack[];
  /** Per-request timeout in ms. */
  requestTimeoutMs?: number;
  signal?: AbortSignal;
  /** Packets in sequence order after the reorder buffer; `trackIndex` indexes `RtspPlayback.tracks`. */
  onPacket: (trackIndex: number, packet: RtpPacket) => void;
  /** The session ended: `error` null after teardown(), else why (connection lost, timeout, ...). */
  onClose: (error: Error | null) => void;
}

/** A playing RTSP session. */
export interface RtspPlayback {
  /** The tracks that were set up, in SETUP order. */
  tracks: RtspTrack[];
  /** Current statistics of a track. */
  stats(trackIndex: number): RtpReceptionStats;
  /**
   * Wall clock of an RTP timestamp from the last RTCP sender report, in ms since the Unix epoch
   * on this host's clock (the camera's own clock is not trusted), or null before one arrived.
   */
  wallClockMs(trackIndex: number, rtpTimestamp: number): number | null;
  /** Sends TEARDOWN and closes; resolves when closed. Safe to call twice. */
  teardown(): Promise<void>;
}
