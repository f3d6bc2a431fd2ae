import { ALL_FORMATS, AudioSample, BlobSource, EncodedPacketSink, Input, type EncodedPacket } from 'mediabunny';
import { bytesOf } from './annex-b.ts';
import { UnsupportedExportError } from './remux.ts';
import { FfmpegAudioDecoder, type DecodedAudioSink, type FfmpegAudioDecodeOptions } from './transcode/ffmpeg-audio-decoder.ts';

/** Options of {@link decodeAudioRuns}. */
export interface AudioDecodeOptions {
  /** Frames (samples per channel) in each block yielded, but the last of a run (config `export.audioBlockFrames`). */
  blockFrames: number;
  /**
   * Part of the output timeline to keep, in seconds (cut at the sample); null for all of it.
   * The timeline starts at 0 with the first run; each run follows the previous one's last sample.
   */
  windowSec?: { startSec: number; endSec: number } | null;
  /** Message of the UnsupportedExportError thrown for a segment with no audio track. */
  noAudioMessage: string;
  /** Packets queued in the browser's decoder at most (config `export.audioDecodeQueueCount`). */
  decodeQueueCount: number;
  /**
   * ffmpeg.wasm, for audio the browser cannot decode (AC-3, E-AC-3: transcode/ffmpeg-audio-decoder.ts).
   * Absent or null: such audio throws UnsupportedAudioCodecError.
   */
  ffmpeg?: FfmpegAudioDecodeOptions | null;
}

/** Thrown when the browser's WebCodecs `AudioDecoder` cannot decode the recording's audio, nor ffmpeg.wasm where given. */
export class UnsupportedAudioCodecError extends UnsupportedExportError {
  constructor(readonly codec: string) {
    super(`This browser cannot decode the recording's audio (${codec}), so it cannot be re-encoded here.`);
    this.name = 'UnsupportedAudioCodecError';
  }
}

/** Sample rate (Hz) and channel count of decoded audio. */
export interface PcmFormat {
  sampleRate: number;
  numberOfChannels: number;
}

/** Thrown when the recording's decoded audio changes sample rate or channel count: one encoder cannot take both. */
export class AudioFormatChangeError extends UnsupportedExportError {
  constructor(from: PcmFormat, to: PcmFormat) {
    super(
      `The recording's audio changes from ${from.numberOfChannels} channels at ${from.sampleRate} Hz to ${to.numberOfChannels} at ${to.sampleRate} Hz; export the parts on either side of the change separately.`,
    );
    this.name = 'AudioFormatChangeError';
  }
}

/** The decoder setup of one segment's audio, compared to reconfigure only on a change. */
function configKey(config: AudioDecoderConfig): string {
  const { description } = config;
  return `${config.codec}|${config.sampleRate}|${config.numberOfChannels}|${description ? bytesOf(description).join(',') : ''}`;
}

/** A decoder {@link decodeAudioRuns} feeds: the browser's, or ffmpeg.wasm's for codecs the browser lacks. */
interface RunAudioDecoder {
  /** Queues one packet; resolves when the next may be queued. */
  decode(packet: EncodedPacket): Promise<void>;
  /** Decodes and outputs everything queued; the next packet starts a new stream. */
  flush(): Promise<void>;
  close(): void;
}

/** The browser's WebCodecs `AudioDecoder` for `config`, fed up to `queueCount` packets ahead. */
function browserDecoder(config: AudioDecoderConfig, sink: DecodedAudioSink, queueCount: number): RunAudioDecoder {
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  const decoder = new AudioDecoder({
    output: (data) => {
      sink.output(data);
      notify();
    },
    error: (error) => {
      sink.error(error);
      notify();
    },
  });
  decoder.configure(config);
  decoder.addEventListener('dequeue', notify);
  return {
    async decode(packet) {
      decoder.decode(packet.toEncodedAudioChunk());
      while (decoder.decodeQueueSize >= queueCount && decoder.state === 'configured') await new Promise<void>((resolve) => (wake = resolve));
    },
    flush: () => (decoder.state === 'configured' ? decoder.flush() : Promise.resolve()),
    close: () => {
      if (decoder.state !== 'closed') decoder.close();
    },
  };
}

/** Planar 16-bit PCM gathered from decoder outputs into one {@link AudioSample}. */
class PcmBlock {
  readonly planes: Int16Array[];
  frames = 0;

  constructor(
    readonly numberOfChannels: number,
    readonly sampleRate: number,
    /** Where the block's first frame sits on the output timeline, in seconds. */
    readonly startSec: number,
    capacityFrames: number,
  ) {
    this.planes = Array.from({ length: numberOfChannels }, () => new Int16Array(capacityFrames));
  }

  get capacityFrames(): number {
    return this.planes[0]!.length;
  }

  /** Copies `count` frames of `data` from frame `offset` (the browser converts to s16). */
  append(data: AudioData, offset: number, count: number): void {
    for (let channel = 0; channel < this.numberOfChannels; channel++) {
      data.copyTo(this.planes[channel]!.subarray(this.frames, this.frames + count), { format: 's16-planar', planeIndex: channel, frameOffset: offset, frameCount: count });
    }
    this.frames += count;
  }

  toSample(): AudioSample {
    const data = new Int16Array(this.frames * this.numberOfChannels);
    for (let channel = 0; channel < this.numberOfChannels; channel++) data.set(this.planes[channel]!.subarray(0, this.frames), channel * this.frames);
    return new AudioSample({ data, format: 's16-planar', numberOfChannels: this.numberOfChannels, sampleRate: this.sampleRate, timestamp: this.startSec });
  }
}

/**
 * Decodes the first audio track of a recording's runs with the browser's WebCodecs
 * `AudioDecoder` (or, for AC-3 and E-AC-3 which it lacks, with ffmpeg.wasm when
 * `options.ffmpeg` is given: transcode/ffmpeg-audio-decoder.ts) and yields it as blocks of
 * planar 16-bit PCM ({@link AudioSample}s of `blockFrames` frames, `s16-planar`), timestamped
 * in seconds on the output timeline.
 *
 * One decoder decodes a whole run, segment after segment, so the decoder's state (AAC's
 * overlapping windows) carries across segment boundaries and the PCM has no seam there; it is
 * flushed at the end of each run (a discontinuity), and reconfigured when a segment's decoder
 * setup differs. Each run's samples follow the previous run's last sample. Packets are fed up
 * to `decodeQueueCount` ahead, so the decoder works while the consumer encodes a block; memory
 * holds one segment's packets, the queue and two blocks (with ffmpeg.wasm, a chunk of PCM).
 * @param runs segment bytes (MPEG-TS, fMP4 with its init section, packed audio), one array per
 *   run of continuous timestamps (src/export/recording-runs.ts `recordingRuns`).
 * @throws UnsupportedExportError with `noAudioMessage` for a segment without audio.
 * @throws AudioFormatChangeError when the sample rate or channel count changes between segments.
 * @throws UnsupportedAudioCodecError when the browser cannot decode the audio codec, and
 *   `options.ffmpeg` is not given or ffmpeg.wasm does not decode it here either.
 * @throws FfmpegRunError, FfmpegOutputError, FfmpegLoadError from ffmpeg.wasm decoding AC-3.
 * @throws Error from mediabunny for bytes it cannot demux, or the decoder's own error.
 */
export async function* decodeAudioRuns(runs: Iterable<readonly Blob[]> | AsyncIterable<readonly Blob[]>, options: AudioDecodeOptions): AsyncGenerator<AudioSample, void, undefined> {
  const window = options.windowSec ?? null;
  /** Blocks complete and waiting to be yielded. */
  const ready: PcmBlock[] = [];
  let block: PcmBlock | null = null;
  /** Output timeline position of the next decoded frame, in frames at `format.sampleRate`. */
  let timelineFrames = 0;
  let format: { sampleRate: number; numberOfChannels: number } | null = null;
  let failure: unknown = null;

  /** The window in frames of the timeline at `sampleRate`: [fromFrame, toFrame); everything without one. */
  const keptFrames = (sampleRate: number) =>
    window ? { fromFrame: Math.round(window.startSec * sampleRate), toFrame: Math.round(window.endSec * sampleRate) } : { fromFrame: 0, toFrame: Infinity };

  const accept = (data: AudioData) => {
    const { sampleRate, numberOfChannels, numberOfFrames } = data;
    format ??= { sampleRate, numberOfChannels };
    if (sampleRate !== format.sampleRate || numberOfChannels !== format.numberOfChannels) {
      failure ??= new AudioFormatChangeError(format, { sampleRate, numberOfChannels });
      return;
    }
    const startFrame = timelineFrames;
    timelineFrames += numberOfFrames;
    const kept = keptFrames(sampleRate);
    // Frames of this output inside the window.
    const from = Math.max(0, kept.fromFrame - startFrame);
    const to = Math.min(numberOfFrames, kept.toFrame - startFrame);
    let offset = from;
    while (offset < to) {
      if (!block) {
        const outputFrame = startFrame + offset - kept.fromFrame;
        block = new PcmBlock(numberOfChannels, sampleRate, outputFrame / sampleRate, options.blockFrames);
      }
      const count = Math.min(to - offset, block.capacityFrames - block.frames);
      block.append(data, offset, count);
      offset += count;
      if (block.frames === block.capacityFrames) {
        ready.push(block);
        block = null;
      }
    }
  };
  const pastWindow = () => format !== null && timelineFrames >= keptFrames(format.sampleRate).toFrame;

  let decoder: RunAudioDecoder | null = null;
  let decoderKey = '';
  const sink: DecodedAudioSink = {
    output: (data) => {
      try {
        if (failure === null) accept(data);
      } catch (error) {
        failure ??= error;
      } finally {
        data.close();
      }
    },
    error: (error) => void (failure ??= error),
  };
  /** The browser's decoder where it has one for `config`, else ffmpeg.wasm's where given and able. */
  const newDecoder = async (config: AudioDecoderConfig): Promise<RunAudioDecoder> => {
    if ((await AudioDecoder.isConfigSupported(config)).supported) return browserDecoder(config, sink, options.decodeQueueCount);
    if (options.ffmpeg && FfmpegAudioDecoder.canDecode(config.codec)) return new FfmpegAudioDecoder(config, sink, options.ffmpeg);
    throw new UnsupportedAudioCodecError(config.codec);
  };
  const throwIfFailed = () => {
    if (failure !== null) throw failure;
  };
  /** Flushes the decoder, and the part-filled block: the run ends. */
  const endRun = async () => {
    await decoder?.flush().catch((error: unknown) => void (failure ??= error));
    throwIfFailed();
    if (block && block.frames > 0) ready.push(block);
    block = null;
  };

  try {
    for await (const run of runs) {
      for (const bytes of run) {
        if (pastWindow()) break;
        const input = new Input({ source: new BlobSource(bytes), formats: ALL_FORMATS });
        try {
          const track = await input.getPrimaryAudioTrack();
          if (!track) throw new UnsupportedExportError(options.noAudioMessage);
          const config = await track.getDecoderConfig();
          if (!config) throw new UnsupportedAudioCodecError(track.codec ?? 'unknown');
          const key = configKey(config);
          if (!decoder || key !== decoderKey) {
            const next = await newDecoder(config);
            await endRun();
            decoder?.close();
            decoder = next;
            decoderKey = key;
          }
          for await (const packet of new EncodedPacketSink(track).packets()) {
            throwIfFailed();
            await decoder.decode(packet);
            while (ready.length) yield ready.shift()!.toSample();
            if (pastWindow()) break;
          }
        } finally {
          input.dispose();
        }
      }
      // A run's samples follow the previous run's last one, whatever their timestamps.
      await endRun();
      while (ready.length) yield ready.shift()!.toSample();
      if (pastWindow()) break;
    }
    throwIfFailed();
  } finally {
    decoder?.close();
  }
}
