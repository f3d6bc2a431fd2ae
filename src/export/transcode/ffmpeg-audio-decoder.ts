import type { EncodedPacket } from 'mediabunny';
import { audioDecodeArgs } from './ffmpeg-args.ts';
import { FfmpegOutputError, type FfmpegSession } from './ffmpeg-session.ts';

/**
 * WebCodecs codec strings of the audio decoded here, with ffmpeg's name of their raw format:
 * AC-3 and E-AC-3 (ETSI TS 102 366), which TV streams carry and Chromium does not decode. Their
 * packets are whole sync frames, so the frames back to back are a stream ffmpeg reads as is.
 */
const RAW_FORMATS: Readonly<Record<string, string>> = { 'ac-3': 'ac3', 'ec-3': 'eac3' };

/**
 * Packets decoded again in front of each chunk, and their output dropped. An AC-3 block's
 * window overlaps the block before it (TDAC), across frame boundaries too, so a decoder that
 * starts at a frame lacks the first half of its first window: ~4000 of 32767 off at each join.
 * One frame before is enough for the joined PCM to be the very PCM of one run over the whole
 * stream (with the dither seeded per frame, ffmpeg-args.ts `audioDecodeArgs`); two leave a
 * margin, as an E-AC-3 frame may be a single block.
 */
export const OVERLAP_PACKETS = 2;

/** Files of a decoder in the session's file system (an AAC encoder may share it). */
const INPUT_PATH = 'decode-in.raw';
const OUTPUT_PATH = 'decode-out.pcm';

/** Frames (samples per channel) of each AudioData handed on, so memory holds no second copy of a chunk. */
const OUTPUT_SLICE_FRAMES = 32_768;

/**
 * Samples per channel in the AC-3 or E-AC-3 sync frame at the start of `frame`: 1536 for AC-3
 * (bsid up to 10), 256 per audio block for E-AC-3 (ETSI TS 102 366 section E.1.2.2: numblkscod,
 * six blocks when fscod is 3). mediabunny's packet durations come from PES timestamps shared
 * by several frames, and round to a sample off.
 * @throws Error when `frame` does not start with the sync word 0x0B77.
 */
export function syncFrameSamples(frame: Uint8Array): number {
  if (frame.length < 6 || frame[0] !== 0x0b || frame[1] !== 0x77) throw new Error('An AC-3 packet of the recording does not start with a sync frame.');
  const bsid = frame[5]! >> 3;
  if (bsid <= 10) return 1536;
  const fscod = frame[4]! >> 6;
  const numblkscod = fscod === 3 ? 3 : (frame[4]! >> 4) & 0x03;
  return 256 * [1, 2, 3, 6][numblkscod]!;
}

/** Options of {@link FfmpegAudioDecoder}. */
export interface FfmpegAudioDecodeOptions {
  /** The ffmpeg.wasm session to decode in, asked for when the first chunk is decoded (it may be shared, see FfmpegSession.run). */
  session: () => Promise<FfmpegSession>;
  /** Most 16-bit PCM one ffmpeg run decodes to, in bytes (config `export.ffmpegDecodeChunkBytes`). */
  chunkBytes: number;
}

/** Where a decoder's output goes: each AudioData is the receiver's to close. */
export interface DecodedAudioSink {
  output(data: AudioData): void;
  error(error: unknown): void;
}

/** One packet waiting to be decoded: its bytes and the samples per channel it holds. */
interface QueuedFrame {
  data: Uint8Array;
  frames: number;
}

/**
 * Decodes audio the browser cannot (AC-3, E-AC-3) with ffmpeg.wasm, for
 * src/export/audio-decode.ts `decodeAudioRuns`: packets are gathered into chunks of at most
 * `chunkBytes` of PCM, each chunk decoded by one ffmpeg run into interleaved 16-bit PCM and
 * handed on as `s16` AudioData. Each chunk is decoded from {@link OVERLAP_PACKETS} packets
 * before it, whose output is dropped, so the joined PCM has no seam where chunks meet; a flush
 * ends the stream (the next chunk starts cold, as after a discontinuity).
 *
 * One chunk is decoded while the next is gathered; memory holds the chunk being gathered, and
 * ffmpeg's copy of the one it decodes with its PCM.
 * Errors reach `sink.error`: FfmpegRunError from ffmpeg, FfmpegOutputError when the PCM is not
 * as long as the frames hold (which would move all audio after it).
 */
export class FfmpegAudioDecoder {
  /** Whether `codec` (a WebCodecs codec string) is decoded here. */
  static canDecode(codec: string): boolean {
    return codec in RAW_FORMATS;
  }

  private readonly inputFormat: string;
  private pending: QueuedFrame[] = [];
  private pendingFrames = 0;
  /** The last packets of the chunk before, decoded again in front of the next. */
  private overlap: QueuedFrame[] = [];
  /** The chunk being decoded; never rejects (errors go to the sink). */
  private decoding: Promise<void> = Promise.resolve();
  /** Output frames handed on so far, for the AudioData timestamps. */
  private outputFrames = 0;
  private closed = false;

  /**
   * @param config the stream's setup, as mediabunny reads it: codec, sample rate (Hz), channels.
   * @throws TypeError when `config.codec` is not one {@link canDecode} accepts.
   */
  constructor(
    private readonly config: AudioDecoderConfig,
    private readonly sink: DecodedAudioSink,
    private readonly options: FfmpegAudioDecodeOptions,
  ) {
    const inputFormat = RAW_FORMATS[config.codec];
    if (!inputFormat) throw new TypeError(`ffmpeg.wasm does not decode ${config.codec} here.`);
    this.inputFormat = inputFormat;
  }

  /**
   * Queues one packet (a sync frame); resolves when the next may be queued.
   * @throws Error when the packet is no sync frame ({@link syncFrameSamples}).
   */
  async decode(packet: EncodedPacket): Promise<void> {
    const frames = syncFrameSamples(packet.data);
    // A copy: the packet's bytes may be a view of the demuxer's larger buffer.
    this.pending.push({ data: packet.data.slice(), frames });
    this.pendingFrames += frames;
    if (this.pendingFrames * 2 * this.config.numberOfChannels < this.options.chunkBytes) return;
    await this.decoding;
    this.decodePending();
  }

  /** Decodes what is queued and ends the stream: the next packet starts one afresh. */
  async flush(): Promise<void> {
    await this.decoding;
    if (this.pending.length) {
      this.decodePending();
      await this.decoding;
    }
    this.overlap = [];
  }

  /** Hands on nothing more. */
  close(): void {
    this.closed = true;
  }

  private decodePending(): void {
    const frames = [...this.overlap, ...this.pending];
    const skipFrames = this.overlap.reduce((sum, frame) => sum + frame.frames, 0);
    this.overlap = frames.slice(Math.max(0, frames.length - OVERLAP_PACKETS));
    this.pending = [];
    this.pendingFrames = 0;
    this.decoding = this.decodeChunk(frames, skipFrames).catch((error: unknown) => {
      if (!this.closed) this.sink.error(error);
    });
  }

  private async decodeChunk(frames: QueuedFrame[], skipFrames: number): Promise<void> {
    const session = await this.options.session();
    const input = new Uint8Array(frames.reduce((sum, frame) => sum + frame.data.length, 0));
    let offset = 0;
    for (const frame of frames) {
      input.set(frame.data, offset);
      offset += frame.data.length;
    }
    await session.writeFile(INPUT_PATH, input);
    try {
      await session.run(audioDecodeArgs({ inputPath: INPUT_PATH, inputFormat: this.inputFormat, outputPath: OUTPUT_PATH }));
    } finally {
      await session.deleteFile(INPUT_PATH);
    }
    const pcm = await session.readFile(OUTPUT_PATH);
    await session.deleteFile(OUTPUT_PATH);
    const { sampleRate, numberOfChannels } = this.config;
    const frameBytes = 2 * numberOfChannels;
    const expectedFrames = frames.reduce((sum, frame) => sum + frame.frames, 0);
    if (pcm.byteLength !== expectedFrames * frameBytes) {
      throw new FfmpegOutputError(`it decoded ${pcm.byteLength / frameBytes} samples per channel from ${this.config.codec} frames that hold ${expectedFrames}.`);
    }
    for (let from = skipFrames; from < expectedFrames && !this.closed; from += OUTPUT_SLICE_FRAMES) {
      const numberOfFrames = Math.min(OUTPUT_SLICE_FRAMES, expectedFrames - from);
      const timestamp = Math.round((this.outputFrames * 1e6) / sampleRate);
      this.outputFrames += numberOfFrames;
      const data = pcm.subarray(from * frameBytes, (from + numberOfFrames) * frameBytes) as Uint8Array<ArrayBuffer>;
      this.sink.output(new AudioData({ format: 's16', sampleRate, numberOfChannels, numberOfFrames, timestamp, data }));
    }
  }
}
