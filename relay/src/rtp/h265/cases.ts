import { rtp, type DepacketizerCase } from '../h264/cases.ts';

const VPS = [0x40, 0x01, 0x0c, 0x01];
const SPS = [0x42, 0x01, 0x01, 0x01];
const PPS = [0x44, 0x01, 0xc1, 0x72];
const IDR = [0x26, 0x01, 0xaf, 0x06, 0xb8];
const TRAIL = [0x02, 0x01, 0xd0, 0x09];

/** The H.265 cases (RFC 7798): they drive the table test and seed the property tests. */
export const h265Cases: DepacketizerCase[] = [
  {
    name: 'single NAL unit packets; IDR_W_RADL is a keyframe, TRAIL_R is not',
    packets: [rtp(1, 0, false, VPS), rtp(2, 0, false, SPS), rtp(3, 0, false, PPS), rtp(4, 0, true, IDR), rtp(5, 3000, true, TRAIL)],
    accessUnits: [
      { nalUnits: [VPS, SPS, PPS, IDR], rtpTimestamp: 0, keyframe: true },
      { nalUnits: [TRAIL], rtpTimestamp: 3000, keyframe: false },
    ],
    droppedUnits: 0,
    malformedPackets: 0,
  },
  {
    name: 'aggregation packet with VPS, SPS and PPS',
    packets: [rtp(7, 9, false, [0x60, 0x01, 0, 4, ...VPS, 0, 4, ...SPS, 0, 4, ...PPS]), rtp(8, 9, true, IDR)],
    accessUnits: [{ nalUnits: [VPS, SPS, PPS, IDR], rtpTimestamp: 9, keyframe: true }],
    droppedUnits: 0,
    malformedPackets: 0,
  },
  {
    name: 'fragmentation unit start, middle and end rebuild the 2-byte NAL unit header',
    packets: [rtp(1, 9, false, [0x62, 0x01, 0x93, 0xaf]), rtp(2, 9, false, [0x62, 0x01, 0x13, 0x06]), rtp(3, 9, true, [0x62, 0x01, 0x53, 0xb8])],
    accessUnits: [{ nalUnits: [IDR], rtpTimestamp: 9, keyframe: true }],
    droppedUnits: 0,
    malformedPackets: 0,
  },
  {
    name: 'a lost FU start drops that NAL unit, counted once',
    packets: [rtp(1, 9, false, VPS), rtp(3, 9, false, [0x62, 0x01, 0x13, 0x06]), rtp(4, 9, true, [0x62, 0x01, 0x53, 0xb8])],
    accessUnits: [{ nalUnits: [VPS], rtpTimestamp: 9, keyframe: false }],
    droppedUnits: 1,
    malformedPackets: 0,
  },
  {
    name: 'malformed packets are counted and dropped: short, F bit, PACI, truncated AP, FU with S and E, FU of an AP',
    packets: [
      rtp(1, 5, false, [0x02, 0x01]),
      rtp(2, 5, false, [0x82, 0x01, 0]),
      rtp(3, 5, false, [0x64, 0x01, 0, 0]),
      rtp(4, 5, false, [0x60, 0x01, 0, 9, 1]),
      rtp(5, 5, false, [0x62, 0x01, 0xd3, 1]),
      rtp(6, 5, false, [0x62, 0x01, 0x80 | 48, 1]),
      rtp(7, 5, true, TRAIL),
    ],
    accessUnits: [{ nalUnits: [TRAIL], rtpTimestamp: 5, keyframe: false }],
    droppedUnits: 0,
    malformedPackets: 6,
  },
];
