import type { RtpPacket } from '../../rtsp/types.ts';

/** One hand-written depacketizer case: packets in, access units and counters out. */
export interface DepacketizerCase {
  name: string;
  packets: RtpPacket[];
  /** Expected access units: NAL units as byte arrays, timestamp, keyframe flag. */
  accessUnits: { nalUnits: number[][]; rtpTimestamp: number; keyframe: boolean }[];
  droppedUnits: number;
  malformedPackets: number;
}

/** A packet with sequence number `sequenceNumber`, timestamp `timestamp` and the given payload bytes. */
export function rtp(sequenceNumber: number, timestamp: number, marker: boolean, payload: number[]): RtpPacket {
  return { payloadType: 96, sequenceNumber, timestamp, ssrc: 0x1234, marker, payload: Uint8Array.from(payload) };
}

const SPS = [0x67, 0x42, 0xc0, 0x1e];
const PPS = [0x68, 0xce, 0x3c, 0x80];
const IDR = [0x65, 0x88, 0x84, 0x00, 0x33];
const SLICE = [0x41, 0x9a, 0x02];

/**
 * The H.264 cases (RFC 6184): they drive the table test and seed the property tests.
 */
export const h264Cases: DepacketizerCase[] = [
  {
    name: 'single NAL unit packets, access unit ends on the marker bit',
    packets: [rtp(1, 3000, false, SPS), rtp(2, 3000, false, PPS), rtp(3, 3000, true, IDR), rtp(4, 6000, true, SLICE)],
    accessUnits: [
      { nalUnits: [SPS, PPS, IDR], rtpTimestamp: 3000, keyframe: true },
      { nalUnits: [SLICE], rtpTimestamp: 6000, keyframe: false },
    ],
    droppedUnits: 0,
    malformedPackets: 0,
  },
  {
    name: 'STAP-A carrying SPS and PPS, then the IDR slice',
    packets: [rtp(65535, 0, false, [0x78, 0, 4, ...SPS, 0, 4, ...PPS]), rtp(0, 0, true, IDR)],
    accessUnits: [{ nalUnits: [SPS, PPS, IDR], rtpTimestamp: 0, keyframe: true }],
    droppedUnits: 0,
    malformedPackets: 0,
  },
  {
    name: 'FU-A start, middle and end rebuild the NAL unit header from indicator and FU header',
    packets: [rtp(10, 90, false, [0x7c, 0x85, 0x88]), rtp(11, 90, false, [0x7c, 0x05, 0x84]), rtp(12, 90, true, [0x7c, 0x45, 0x00, 0x33])],
    accessUnits: [{ nalUnits: [IDR], rtpTimestamp: 90, keyframe: true }],
    droppedUnits: 0,
    malformedPackets: 0,
  },
  {
    name: 'a lost FU-A middle fragment drops that NAL unit only, counted once',
    packets: [rtp(10, 90, false, SPS), rtp(11, 90, false, [0x7c, 0x85, 0x88]), rtp(13, 90, true, [0x7c, 0x45, 0x00, 0x33]), rtp(14, 180, true, SLICE)],
    accessUnits: [
      { nalUnits: [SPS], rtpTimestamp: 90, keyframe: false },
      { nalUnits: [SLICE], rtpTimestamp: 180, keyframe: false },
    ],
    droppedUnits: 1,
    malformedPackets: 0,
  },
  {
    name: 'a timestamp change closes an access unit whose marker packet was lost',
    packets: [rtp(1, 100, false, SLICE), rtp(2, 200, true, SLICE)],
    accessUnits: [
      { nalUnits: [SLICE], rtpTimestamp: 100, keyframe: false },
      { nalUnits: [SLICE], rtpTimestamp: 200, keyframe: false },
    ],
    droppedUnits: 0,
    malformedPackets: 0,
  },
  {
    name: 'malformed packets are counted and dropped: empty, F bit, truncated STAP-A, FU-A with S and E, types 0 and 30, FU-B',
    packets: [
      rtp(1, 5, false, []),
      rtp(2, 5, false, [0xe5, 1]),
      rtp(3, 5, false, [0x78, 0, 9, 0x67]),
      rtp(4, 5, false, [0x7c, 0xc5, 1]),
      rtp(5, 5, false, [0x00, 1]),
      rtp(6, 5, false, [0x1e, 1]),
      rtp(7, 5, false, [0x1d, 0x85, 0, 0, 1]),
      rtp(8, 5, true, SLICE),
    ],
    accessUnits: [{ nalUnits: [SLICE], rtpTimestamp: 5, keyframe: false }],
    droppedUnits: 0,
    malformedPackets: 7,
  },
];
