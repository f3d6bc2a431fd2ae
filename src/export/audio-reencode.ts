import { AudioSampleSource, Output, StreamTarget, type AudioCodec, type MetadataTags, type OutputFormat, type Quality, type StreamTargetChunk } from 'mediabunny';
import { defaultConfig } from '../config.ts';
import { decodeAudioRuns } from './audio-decode.ts';
import { UnsupportedExportError } from './remux.ts';
import { LazyFfmpegSession } from './transcode/ffmpeg-session.ts';

/** Options of {@link reencodeAudioRuns}. */
export interface AudioReencodeOptions {
  /** The container written (mediabunny `Mp3OutputFormat`, `OggOutputFormat`, …). */
  format: OutputFormat;
  codec: AudioCodec;
  quality: Quality;
  /** Receives the file as positioned writes; closed at the end. */
  writable: WritableStream<StreamTargetChunk>;
  /** Part of the output timeline kept, in seconds (cut at the sample); null for all of it. */
  windowSec?: { startSec: number; endSec: number } | null;
  /** Duration expected, in seconds, for progress. */
  totalDurationSec: number;
  /** Called as blocks are encoded, with the share done, 0..1. */
  onProgress?: (fraction: number) => void;
  /** Written as the container's tags (ID3v2, Vorbis comments). */
  tags?: MetadataTags;
  /** Message of the UnsupportedExportError for a segment without audio. */
  noAudioMessage: string;
  /**
   * Most channels the codec takes here (MP3, Opus: 2): audio with more (5.1 TV sound) is mixed
   * down by mediabunny's encoder (the Web Audio API's speaker rules: the centre and each surround
   * at -3 dB into its side, the LFE left out).
   */
  maxChannels: number;
}

/**
 * Decodes the recording's first audio track ({@link decodeAudioRuns}: one browser decoder per
 * run, each run placed after the previous; ffmpeg.wasm, loaded then, for AC-3 and E-AC-3,
 * which the browser cannot decode) and encodes it with mediabunny into `format`, in
 * blocks of config `export.audioBlockFrames` (one second at 48 kHz). mediabunny keeps a few blocks in its encoder's queue, so the browser
 * decodes while the encoder encodes. The file streams to `writable` in 4 MiB chunks; on failure
 * the output is cancelled.
 * @param runs segment bytes, one array per run of continuous timestamps.
 * @returns the duration written, in seconds.
 * @throws UnsupportedExportError when there is no audio or nothing to export.
 * @throws as {@link decodeAudioRuns}, and mediabunny's encoder errors.
 * @throws FfmpegLoadError when audio needs ffmpeg.wasm and its core cannot be loaded.
 */
export async function reencodeAudioRuns(runs: Iterable<readonly Blob[]> | AsyncIterable<readonly Blob[]>, options: AudioReencodeOptions): Promise<{ durationSec: number }> {
  const { audioBlockFrames, audioDecodeQueueCount, ffmpegBasePath, ffmpegDecodeChunkBytes } = defaultConfig.export;
  const ffmpeg = new LazyFfmpegSession(ffmpegBasePath);
  const output = new Output({ format: options.format, target: new StreamTarget(options.writable, { chunked: true, chunkSize: 4 * 1024 * 1024 }) });
  if (options.tags) output.setMetadataTags(options.tags);
  let source: AudioSampleSource | null = null;
  const totalSec = Math.max(options.totalDurationSec, 1e-9);
  let endSec = 0;
  try {
    const blocks = decodeAudioRuns(runs, {
      blockFrames: audioBlockFrames,
      decodeQueueCount: audioDecodeQueueCount,
      windowSec: options.windowSec ?? null,
      noAudioMessage: options.noAudioMessage,
      ffmpeg: { session: () => ffmpeg.get(), chunkBytes: ffmpegDecodeChunkBytes },
    });
    for await (const block of blocks) {
      try {
        if (!source) {
          const transform = block.numberOfChannels > options.maxChannels ? { numberOfChannels: options.maxChannels } : undefined;
          source = new AudioSampleSource({ codec: options.codec, quality: options.quality, ...(transform ? { transform } : {}) });
          output.addAudioTrack(source);
          await output.start();
        }
        await source.add(block);
        endSec = block.timestamp + block.duration;
        options.onProgress?.(Math.min(1, endSec / totalSec));
      } finally {
        block.close();
      }
    }
    if (!source) throw new UnsupportedExportError('This recording has no segments to export.');
    source.close();
    await output.finalize();
    options.onProgress?.(1);
    return { durationSec: endSec };
  } catch (error) {
    if (output.state !== 'finalized' && output.state !== 'canceled') await output.cancel();
    throw error;
  } finally {
    await ffmpeg.terminate();
  }
}
