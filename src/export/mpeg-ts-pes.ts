import muxjs from 'mux.js';
import { nalUnitBounds } from './annex-b.ts';
import type { DemuxedPacketInfo } from './segment-demux.ts';

/**
 * The fast way through the MPEG-TS segments most HLS streams are made of: H.264 video with one
 * access unit per PES packet, and ADTS AAC audio. mux.js (videojs) reassembles the PES packets
 * from the transport packets four times as fast as mediabunny's demuxer, which also splits
 * access units by scanning every byte for start codes; the packets found here are the ones
 * mediabunny finds, with its timestamps and durations (checked against it on every MPEG-TS
 * test stream: src/export/mpeg-ts-pes.test.ts). Anything else (another codec, an access unit
 * spread over PES packets or several in one, an ADTS frame cut by a PES boundary, a PES packet
 * without PTS) gives null, and the caller demuxes the segment with mediabunny instead.
 */

/** MPEG-TS timestamps tick at 90 kHz (ISO/IEC 13818-1 2.4.3.7). */
const TICKS_PER_SEC = 90_000;
/** They are 33-bit, so wrap after this many ticks. */
const TIMESTAMP_MODULUS = 2 ** 33;

/** One stream's packets of a segment, as {@link DemuxedPacketInfo}s with the bytes of each. */
export interface PesStreamPackets {
  /** Each packet's bytes: H.264 access units in Annex B form, ADTS frames with their header. */
  chunks: Uint8Array[];
  packets: DemuxedPacketInfo[];
  /** Start code positions of each access unit, as {@link nalUnitBounds} gives them (video only). */
  bounds?: number[][];
}

export interface PesPacket {
  pts90k: number | undefined;
  data: Uint8Array;
}

/** The H.264 and ADTS PES packets of an MPEG-TS segment, as {@link readPesPackets} reads them. */
export interface PesSegment {
  /** PIDs of the H.264 and ADTS streams mux.js found in the PMT, null for a stream it lacks. */
  videoPid: number | null;
  audioPid: number | null;
  /**
   * The segment's first PMT transport packet, its continuity counter aside, as bytes joined by
   * commas (empty when it has none): the PMT lists every stream (ISO/IEC 13818-1 2.4.4.8), those
   * mux.js reads and those it does not, so segments alike here hold the same streams.
   */
  pmt: string;
  video: PesPacket[];
  audio: PesPacket[];
}

/**
 * Reads the PES packets of the PMT's first H.264 and first ADTS stream of an MPEG-TS segment,
 * their timestamps taken off the 33-bit clock as mediabunny takes them (see {@link wrapNormalizer}).
 * @returns their PIDs (null for a stream the PMT lacks) and payloads in stream order.
 */
export function readPesPackets(bytes: Uint8Array): PesSegment {
  const packets = new muxjs.mp2t.TransportPacketStream();
  const parse = new muxjs.mp2t.TransportParseStream();
  const elementary = new muxjs.mp2t.ElementaryStream();
  packets.pipe(parse).pipe(elementary);
  const found: PesSegment = { videoPid: null, audioPid: null, pmt: '', video: [], audio: [] };
  let pmtPid: number | null = null;
  const findPmt = (packet: Uint8Array) => {
    if (pmtPid === null || (((packet[1]! & 0x1f) << 8) | packet[2]!) !== pmtPid) return;
    const copy = packet.slice();
    copy[3] = copy[3]! & 0xf0;
    found.pmt = copy.join(',');
    packets.off('data', findPmt);
  };
  // Registered after `pipe`, so each packet reaches it after the parser, which knows the PMT's
  // PID from the PAT before the PMT comes.
  packets.on('data', findPmt);
  // Which of the two streams' PES packets comes first in the file (mux.js hands each out only
  // once the next one starts).
  const first: { kind: 'video' | 'audio' | null } = { kind: null };
  const findFirst = (parsed: { type: string; payloadUnitStartIndicator: boolean; streamType?: number; pmtPid?: number }) => {
    if (parsed.type === 'pat' && parsed.pmtPid !== undefined) pmtPid ??= parsed.pmtPid;
    if (parsed.type !== 'pes' || !parsed.payloadUnitStartIndicator || (parsed.streamType !== 0x1b && parsed.streamType !== 0x0f)) return;
    first.kind = parsed.streamType === 0x1b ? 'video' : 'audio';
    parse.off('data', findFirst);
  };
  parse.on('data', findFirst);
  elementary.on('data', (event) => {
    if (event.type === 'metadata') {
      for (const track of event.tracks ?? []) found[track.type === 'video' ? 'videoPid' : 'audioPid'] = track.id;
    } else if ((event.type === 'video' || event.type === 'audio') && event.data) {
      found[event.type].push({ pts90k: event.pts, data: event.data });
    }
  });
  packets.push(bytes);
  packets.flush();
  const anchor90k = first.kind ? found[first.kind].find((pes) => pes.pts90k !== undefined)?.pts90k : undefined;
  if (anchor90k !== undefined) {
    const normalize = wrapNormalizer(anchor90k);
    for (const pes of [...found.video, ...found.audio]) if (pes.pts90k !== undefined) pes.pts90k = normalize(pes.pts90k);
  }
  return found;
}

/**
 * Takes timestamps off the 33-bit clock as mediabunny's MPEG-TS demuxer does, so that a segment
 * the clock wraps in keeps its order: anchored on the first PTS of the segment, timestamps more
 * than 60 s before it are taken as after the wrap (2^33 added); when the anchor is itself within
 * 60 s of the wrap, those from 60 s before it on are taken as before it (2^33 subtracted, which
 * leaves them negative). The export unwraps across segments (src/export/remux.ts).
 * @param anchor90k the first PTS, in 90 kHz ticks.
 * @returns a function of a 33-bit PTS to its place on that timeline, in 90 kHz ticks.
 */
function wrapNormalizer(anchor90k: number): (pts90k: number) => number {
  const toleranceTicks = 60 * TICKS_PER_SEC;
  const reference = anchor90k - toleranceTicks;
  const offset = anchor90k >= TIMESTAMP_MODULUS - toleranceTicks ? -TIMESTAMP_MODULUS : TIMESTAMP_MODULUS;
  return (pts90k) => ((offset < 0 && pts90k >= reference) || (offset > 0 && pts90k < reference) ? pts90k + offset : pts90k);
}

/**
 * H.264 access units of a segment's PES packets, one per packet, with their timing (see
 * {@link presentationDurations}) and key flags (an IDR slice, H.264 7.4.1.2.4).
 * @returns null unless the first picture is IDR and every PES packet with a payload has a PTS
 *   and holds exactly one whole picture: its first slice starts a picture (first_mb_in_slice 0,
 *   H.264 7.4.3) and nothing after that slice starts another access unit (H.264 7.4.1.2.3).
 */
function videoAccessUnits(pes: PesPacket[]): PesStreamPackets | null {
  const chunks: Uint8Array[] = [];
  const bounds: number[][] = [];
  const pts90k: number[] = [];
  const keys: boolean[] = [];
  for (const { pts90k: pts, data } of pes) {
    if (data.length === 0) continue;
    if (pts === undefined) return null;
    const units = nalUnitBounds(data);
    let pictures = 0;
    let key = false;
    for (let i = 0; i < units.length; i += 2) {
      const start = units[i]!;
      const type = data[start]! & 0x1f;
      if (type === 1 || type === 2 || type === 5) {
        // first_mb_in_slice is the slice header's first ue(v): 0 is the single bit 1.
        const startsPicture = (data[start + 1]! & 0x80) !== 0;
        if (pictures === 0 ? !startsPicture : startsPicture) return null;
        pictures = 1;
        key ||= type === 5;
      } else if (pictures > 0 && ((type >= 6 && type <= 9) || (type >= 14 && type <= 18))) {
        return null;
      }
    }
    if (pictures === 0) return null;
    // A segment that starts on a picture other than IDR (an open GOP's I picture, as some
    // broadcasters send) goes to mediabunny, which takes key frames from the random access
    // indicator (ISO/IEC 13818-1 2.4.3.5) where the stream sets it.
    if (chunks.length === 0 && !key) return null;
    chunks.push(data);
    bounds.push(units);
    pts90k.push(pts);
    keys.push(key);
  }
  const durations = presentationDurations(pts90k);
  const packets = pts90k.map((pts, i): DemuxedPacketInfo => ({ offset: 0, byteLength: chunks[i]!.byteLength, type: keys[i] ? 'key' : 'delta', timestampSec: pts / TICKS_PER_SEC, durationSec: durations[i]! / TICKS_PER_SEC, sequenceNumber: i }));
  return { chunks, bounds, packets };
}

/** ADTS sampling_frequency_index to Hz (ISO/IEC 14496-3 1.6.3.4). */
const ADTS_SAMPLE_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/**
 * The ADTS frames (ISO/IEC 14496-3 1.A.2) of a segment's audio PES packets, each with its header
 * as mediabunny gives them, timed as mediabunny times them: a PES packet's PTS for its first
 * frame, and each next frame 1024 samples later, rounded to whole 90 kHz ticks.
 * @returns null unless every PES packet with a payload has a PTS and is whole ADTS frames.
 */
function adtsFrames(pes: PesPacket[]): PesStreamPackets | null {
  const chunks: Uint8Array[] = [];
  const pts90k: number[] = [];
  for (const { pts90k: pts, data } of pes) {
    if (data.length === 0) continue;
    if (pts === undefined) return null;
    for (let at = 0, frame = 0; at < data.length; frame += 1) {
      if (at + 7 > data.length || data[at] !== 0xff || (data[at + 1]! & 0xf6) !== 0xf0) return null;
      const sampleRate = ADTS_SAMPLE_RATES[(data[at + 2]! >> 2) & 0x0f];
      const frameLength = ((data[at + 3]! & 0x03) << 11) | (data[at + 4]! << 3) | (data[at + 5]! >> 5);
      if (!sampleRate || frameLength < 7 || at + frameLength > data.length) return null;
      chunks.push(data.subarray(at, at + frameLength));
      pts90k.push(pts + frame * Math.round((1024 * TICKS_PER_SEC) / sampleRate));
      at += frameLength;
    }
  }
  const durations = presentationDurations(pts90k);
  const packets = pts90k.map((pts, i): DemuxedPacketInfo => ({ offset: 0, byteLength: chunks[i]!.byteLength, type: 'key', timestampSec: pts / TICKS_PER_SEC, durationSec: durations[i]! / TICKS_PER_SEC, sequenceNumber: i }));
  return { chunks, packets };
}

/**
 * Each packet's duration, in the ticks of its timestamps, as mediabunny reckons it: up to the
 * next timestamp in presentation order; the last in presentation order takes the duration
 * last reckoned in decode order. Never negative.
 * @param pts90k presentation timestamps in decode order.
 */
function presentationDurations(pts90k: readonly number[]): number[] {
  const order = pts90k.map((_, i) => i).sort((a, b) => pts90k[a]! - pts90k[b]!);
  const next = new Array<number | undefined>(pts90k.length);
  for (let k = 0; k + 1 < order.length; k++) next[order[k]!] = pts90k[order[k + 1]!];
  let last = 0;
  return pts90k.map((pts, i) => {
    const nextPts = next[i];
    if (nextPts !== undefined) last = nextPts - pts;
    return Math.max(0, last);
  });
}

/**
 * The packets of an MPEG-TS segment's H.264 video (PID `videoPid`, when asked for) and AAC audio
 * (PID `audioPid`), when both are the PMT's first stream of their type and laid out as
 * {@link videoAccessUnits} and {@link adtsFrames} take them.
 * @param bytes the whole segment.
 * @returns null where the segment is laid out otherwise: demux it with mediabunny.
 */
export function demuxH264AacPes(bytes: Uint8Array, videoPid: number | null, audioPid: number | null): H264AacPackets | null {
  return h264AacPackets(readPesPackets(bytes), videoPid, audioPid);
}

/** The packets {@link demuxH264AacPes} gives: video and audio, each null when not asked for. */
export interface H264AacPackets {
  video: PesStreamPackets | null;
  audio: PesStreamPackets | null;
}

/** {@link demuxH264AacPes} of a segment's PES packets already read. */
export function h264AacPackets(found: PesSegment, videoPid: number | null, audioPid: number | null): H264AacPackets | null {
  if (videoPid !== found.videoPid && videoPid !== null) return null;
  if (audioPid !== found.audioPid && audioPid !== null) return null;
  const video = videoPid === null ? null : videoAccessUnits(found.video);
  const audio = audioPid === null ? null : adtsFrames(found.audio);
  if ((videoPid !== null && !video?.packets.length) || (audioPid !== null && !audio?.packets.length)) return null;
  return { video, audio };
}
