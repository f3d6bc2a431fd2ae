import type { RtpPacket } from '../../rtsp/types.ts';
import { rtp } from '../h264/cases.ts';

/** One hand-written RFC 3640 case: packets in, AAC frames out. */
export interface AacCase {
  name: string;
  fmtp: Record<string, string>;
  packets: RtpPacket[];
  frames: { data: number[]; rtpTimestamp: number }[];
  droppedUnits: number;
  malformedPackets: number;
}

const HBR = { mode: 'AAC-hbr', sizelength: '13', indexlength: '3', indexdeltalength: '3', config: '1190' };

/** The AAC-hbr cases: they drive the table test and seed the property tests. */
export const aacCases: AacCase[] = [
  {
    name: 'one frame per packet',
    fmtp: HBR,
    packets: [rtp(1, 1000, true, [0, 16, 0, 3 << 3, 0x21, 0x10, 0x05])],
    frames: [{ data: [0x21, 0x10, 0x05], rtpTimestamp: 1000 }],
    droppedUnits: 0,
    malformedPackets: 0,
  },
  {
    name: 'three frames in one packet, each 1024 ticks after the previous',
    fmtp: HBR,
    packets: [rtp(1, 0, true, [0, 48, 0, 2 << 3, 0, 1 << 3, 0, 3 << 3, 1, 2, 3, 4, 5, 6])],
    frames: [
      { data: [1, 2], rtpTimestamp: 0 },
      { data: [3], rtpTimestamp: 1024 },
      { data: [4, 5, 6], rtpTimestamp: 2048 },
    ],
    droppedUnits: 0,
    malformedPackets: 0,
  },
  {
    name: 'one frame fragmented over three packets',
    fmtp: HBR,
    packets: [rtp(1, 7, false, [0, 16, 0, 5 << 3, 1, 2]), rtp(2, 7, false, [0, 16, 0, 5 << 3, 3, 4]), rtp(3, 7, true, [0, 16, 0, 5 << 3, 5])],
    frames: [{ data: [1, 2, 3, 4, 5], rtpTimestamp: 7 }],
    droppedUnits: 0,
    malformedPackets: 0,
  },
  {
    name: 'a lost fragment drops that frame, counted once; the next frame comes through',
    fmtp: HBR,
    packets: [rtp(1, 7, false, [0, 16, 0, 5 << 3, 1, 2]), rtp(3, 7, true, [0, 16, 0, 5 << 3, 5]), rtp(4, 1031, true, [0, 16, 0, 1 << 3, 9])],
    frames: [{ data: [9], rtpTimestamp: 1031 }],
    droppedUnits: 1,
    malformedPackets: 0,
  },
  {
    name: 'malformed packets are counted and dropped: short, headers past the end, size past the end, zero-size frame',
    fmtp: HBR,
    packets: [rtp(1, 0, true, [0]), rtp(2, 0, true, [0, 64, 0]), rtp(3, 0, true, [0, 32, 0, 1 << 3, 0, 9 << 3, 1, 2]), rtp(4, 0, true, [0, 16, 0, 0, 1])],
    frames: [],
    droppedUnits: 0,
    malformedPackets: 4,
  },
];
