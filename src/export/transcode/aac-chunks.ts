import { ALL_FORMATS, BufferSource, EncodedPacket, EncodedPacketSink, Input, type AudioSample } from 'mediabunny';
import type { TimedPacket } from './encoded-file.ts';
import { pcmToAacArgs } from './ffmpeg-args.ts';
import { FfmpegOutputError, type FfmpegSession } from './ffmpeg-session.ts';
import type { LoudnessMeasurement } from './loudness.ts';

/** Samples per channel in one AAC-LC frame (ISO/IEC 14496-3 4.5.2.1), as ffmpeg's encoder writes them. */
export const AAC_FRAME_SAMPLES = 1024;
/**
 * Real audio each chunk is encoded with beyond the part of it that is kept, on either side, in
 * AAC frames: more than the two frames an AAC frame's overlapping window reaches.
 */
const OVERLAP_FRAMES = 4;

/** Options of {@link encodeAacChunks}. */
export interface AacChunkOptions {
  /** The ffmpeg.wasm instance the chunks are encoded in, one after another. */
  session: FfmpegSession;
  bitrateKbps: number;
  /** The whole recording's loudness, for `loudnorm` in linear mode (one gain); null: no normalisation. */
  loudness: LoudnessMeasurement | null;
  /** Longest part of the audio kept from one chunk, in seconds (config `export.transcodeChunkSec`). */
  chunkSec: number;
  /** Most 16-bit PCM kept from one chunk, in bytes (config `export.transcodeChunkBytes`). */
  chunkBytes: number;
  /** Called after each chunk with the output time encoded so far, in seconds. */
  onProgress?: (encodedSec: number) => void;
}

/**
 * One AAC packet on the output timeline, with the decoder setup of the stream: timestamp in
 * seconds from the first sample; the very first packet (encoder priming) is before 0.
 */
export type AacPacket = TimedPacket<AudioDecoderConfig>;

/**
 * Encodes continuous PCM (`samples`, one stream at one rate and channel count, as
 * src/export/audio-decode.ts `decodeAudioRuns` yields it) to AAC with ffmpeg.wasm, in chunks of
 * at most `chunkSec` and `chunkBytes` of PCM, with no seam where the chunks meet.
 *
 * ffmpeg.wasm holds its files in memory, so a long recording is encoded in pieces; but each run
 * of an AAC encoder starts with a priming frame (1024 samples of delay) and ends with padding,
 * so pieces encoded apart and put end to end have ~21 ms of silence and a click at every join.
 * Here every chunk is encoded from {@link OVERLAP_FRAMES} AAC frames of real audio before the
 * part it keeps to as many after it, and only the packets of its own part are kept: packet `i`
 * of a run holds the samples from `(i - 1) * 1024` of its input (the first is priming), and each
 * chunk starts on the previous one's frame grid. Every kept frame was thus encoded with the real
 * audio its overlapping window reaches, so the decoder's overlap-add across a join is as
 * complete as inside a chunk: the joined stream decodes to as many samples as the input, with
 * only coding noise at the joins. The sample rate is kept (resampling in ffmpeg shifts the grid
 * differently per chunk); `loudnorm` runs at 192 kHz and is resampled back to it.
 *
 * The browser decodes the next chunk while ffmpeg encodes one (a single ffmpeg run at a time),
 * so memory holds one chunk of 16-bit PCM with its overlaps being filled, ffmpeg's copy of the
 * chunk before and its output.
 * @returns packets in order, timestamps in seconds; the first one (priming) at -1024 samples,
 *   which an MP4 muxer hides with an edit list; the last one's duration ends at the last sample.
 * @throws FfmpegRunError when ffmpeg fails.
 * @throws FfmpegOutputError when ffmpeg returns no AAC, or fewer AAC frames than its input needs.
 * @throws Error `called FFmpeg.terminate()` when the session is terminated meanwhile.
 */
export async function* encodeAacChunks(samples: AsyncIterable<AudioSample>, options: AacChunkOptions): AsyncGenerator<AacPacket, void, undefined> {
  let chunkFrames = 0;
  const overlapFrames = OVERLAP_FRAMES * AAC_FRAME_SAMPLES;
  let format: { sampleRate: number; numberOfChannels: number } | null = null;
  /** Interleaved s16 PCM from frame `bufferStartFrame` of the stream, `bufferFrames` of it filled. */
  let buffer = new Int16Array(0);
  let bufferStartFrame = 0;
  let bufferFrames = 0;
  /** First frame kept from the next chunk. */
  let keepFromFrame = 0;
  let decoderConfig: AudioDecoderConfig | null = null;

  /**
   * Encodes the chunk that keeps `[chunkFromFrame, chunkToFrame)`: its PCM is copied out of the
   * buffer before this returns, so the buffer can take more while ffmpeg works.
   */
  const encodeChunk = async (chunkFromFrame: number, chunkToFrame: number, streamEndFrame: number | null): Promise<AacPacket[]> => {
    const { sampleRate, numberOfChannels } = format!;
    const inFromFrame = Math.max(0, chunkFromFrame - overlapFrames);
    const inToFrame = streamEndFrame === null ? chunkToFrame + overlapFrames : Math.min(streamEndFrame, chunkToFrame + overlapFrames);
    const pcm = buffer.slice((inFromFrame - bufferStartFrame) * numberOfChannels, (inToFrame - bufferStartFrame) * numberOfChannels);
    await options.session.writeFile('pcm.raw', new Uint8Array(pcm.buffer));
    await options.session.run(pcmToAacArgs({ inputPath: 'pcm.raw', outputPath: 'out.aac', sampleRate, numberOfChannels, bitrateKbps: options.bitrateKbps, loudness: options.loudness }));
    await options.session.deleteFile('pcm.raw');
    const adts = await options.session.readFile('out.aac');
    await options.session.deleteFile('out.aac');
    const input = new Input({ source: new BufferSource(adts), formats: ALL_FORMATS });
    try {
      const track = await input.getPrimaryAudioTrack();
      if (!track) throw new FfmpegOutputError('it wrote no AAC.');
      decoderConfig ??= await track.getDecoderConfig();
      const kept: AacPacket[] = [];
      let count = 0;
      for await (const packet of new EncodedPacketSink(track).packets()) {
        const index = count++;
        // Packet 0 is the encoder's priming; packet i holds the input's samples from (i - 1) * 1024.
        const startFrame = inFromFrame + (index - 1) * AAC_FRAME_SAMPLES;
        // The stream's own priming frame stays (an MP4 edit list hides it); the other chunks' go.
        const streamPriming = chunkFromFrame === 0 && index === 0;
        if ((startFrame < chunkFromFrame && !streamPriming) || startFrame >= chunkToFrame) continue;
        const endFrame = Math.min(startFrame + AAC_FRAME_SAMPLES, streamEndFrame ?? Infinity);
        kept.push({ packet: new EncodedPacket(packet.data, 'key', startFrame / sampleRate, (endFrame - startFrame) / sampleRate), decoderConfig: decoderConfig! });
      }
      const neededCount = Math.ceil((chunkToFrame - inFromFrame) / AAC_FRAME_SAMPLES) + 1;
      if (count < neededCount) throw new FfmpegOutputError(`it returned ${count} AAC frames for audio that needs ${neededCount}.`);
      return kept;
    } finally {
      input.dispose();
    }
  };

  /** The chunk ffmpeg is encoding, and where its kept part ends. */
  let encoding: { packets: Promise<AacPacket[]>; endFrame: number } | null = null;
  /** A chunk's packets once encoded, its end reported as progress. */
  const finished = async (chunk: { packets: Promise<AacPacket[]>; endFrame: number }): Promise<AacPacket[]> => {
    const packets = await chunk.packets;
    options.onProgress?.(chunk.endFrame / format!.sampleRate);
    return packets;
  };

  /** Drops the frames no later chunk reads (before the next chunk's overlap). */
  const releaseBefore = (frame: number) => {
    const drop = Math.max(0, Math.min(bufferFrames, frame - bufferStartFrame));
    const channels = format!.numberOfChannels;
    buffer.copyWithin(0, drop * channels, bufferFrames * channels);
    bufferStartFrame += drop;
    bufferFrames -= drop;
  };

  for await (const sample of samples) {
    try {
      if (!format) {
        format = { sampleRate: sample.sampleRate, numberOfChannels: sample.numberOfChannels };
        const mostFrames = Math.min(options.chunkSec * format.sampleRate, options.chunkBytes / (2 * format.numberOfChannels));
        chunkFrames = Math.max(1, Math.floor(mostFrames / AAC_FRAME_SAMPLES)) * AAC_FRAME_SAMPLES;
        buffer = new Int16Array((chunkFrames + 2 * overlapFrames + sample.numberOfFrames) * format.numberOfChannels);
      }
      const channels = format.numberOfChannels;
      let offset = 0;
      while (offset < sample.numberOfFrames) {
        const count = Math.min(sample.numberOfFrames - offset, buffer.length / channels - bufferFrames);
        sample.copyTo(buffer.subarray(bufferFrames * channels, (bufferFrames + count) * channels), { planeIndex: 0, format: 's16', frameOffset: offset, frameCount: count });
        bufferFrames += count;
        offset += count;
        // A chunk is encoded once the overlap after it has arrived, while the browser decodes
        // the next one; the one before is handed on first.
        const keepToFrame = keepFromFrame + chunkFrames;
        if (bufferStartFrame + bufferFrames >= keepToFrame + overlapFrames) {
          if (encoding) yield* await finished(encoding);
          encoding = { packets: encodeChunk(keepFromFrame, keepToFrame, null), endFrame: keepToFrame };
          // Awaited in order; a failure meanwhile must not count as unhandled.
          encoding.packets.catch(() => undefined);
          keepFromFrame = keepToFrame;
          releaseBefore(keepFromFrame - overlapFrames);
        }
      }
    } finally {
      sample.close();
    }
  }
  if (encoding) yield* await finished(encoding);
  const endFrame = bufferStartFrame + bufferFrames;
  // What is left: at most one chunk and the overlap after it.
  while (format && keepFromFrame < endFrame) {
    const keepToFrame = Math.min(endFrame, keepFromFrame + chunkFrames);
    yield* await finished({ packets: encodeChunk(keepFromFrame, keepToFrame, endFrame), endFrame: keepToFrame });
    keepFromFrame = keepToFrame;
  }
}
