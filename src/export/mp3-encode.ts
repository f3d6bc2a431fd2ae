import { registerMp3Encoder } from '@mediabunny/mp3-encoder';
import { canEncodeAudio, Mp3OutputFormat, Quality, type MetadataTags, type StreamTargetChunk } from 'mediabunny';
import { reencodeAudioRuns } from './audio-reencode.ts';
import type { RemuxResult } from './remux.ts';

/** MP3 bitrates offered, in kb/s. */
export type Mp3BitrateKbps = 128 | 192 | 320;

/** Options of {@link encodeMp3Runs}. */
export interface Mp3Options {
  bitrateKbps: Mp3BitrateKbps;
  /** Receives the file as positioned writes; a FileSystemWritableFileStream fits. Closed at the end. */
  writable: WritableStream<StreamTargetChunk>;
  /** Total duration of the output, in seconds, for progress. */
  totalDurationSec: number;
  /**
   * Part of the runs' timeline to keep, in seconds from the first sample (cut at the sample,
   * src/export/trim/range.ts `selectSegments`); null or absent for all of it.
   */
  windowSec?: { startSec: number; endSec: number } | null;
  /** Called as samples are encoded, with the share done, 0..1. */
  onProgress?: (fraction: number) => void;
  /** Written as an ID3v2 tag at the start of the file. */
  tags?: MetadataTags;
}

let encoderReady: Promise<void> | null = null;

/** Registers the LAME (WebAssembly) MP3 encoder once, unless the browser encodes MP3 itself. */
function ensureMp3Encoder(): Promise<void> {
  encoderReady ??= canEncodeAudio('mp3').then((native) => {
    if (!native) registerMp3Encoder();
  });
  return encoderReady;
}

/**
 * Decodes the recording's first audio track (AAC or MP3 by the browser; AC-3 and E-AC-3 by
 * ffmpeg.wasm), more than two channels mixed down to stereo, and encodes it as
 * constant-bitrate MP3 with @mediabunny/mp3-encoder (LAME in WebAssembly, in its own worker),
 * with an ID3v2 tag from `tags`.
 *
 * As in {@link remuxRuns}, `runs` are the segments split where timestamps break: each run is
 * decoded as one stream by the browser's decoder (no seam at segment boundaries) and placed right
 * after the previous run ({@link reencodeAudioRuns}). Memory stays bounded by one segment, a few
 * seconds of PCM and the encoder's buffers. MP3 frames carry no timestamps: the file's duration
 * is the audio decoded.
 * @returns the duration written, in seconds, and the codec (`mp3`).
 * @throws UnsupportedExportError when the recording has no audio or no segments.
 * @throws UnsupportedAudioCodecError when neither the browser nor ffmpeg.wasm decodes the audio here.
 * @throws FfmpegLoadError when the audio needs ffmpeg.wasm and its core cannot be loaded.
 * @throws Error from mediabunny for bytes it cannot demux, or the decoder's error.
 */
export async function encodeMp3Runs(runs: Blob[][], options: Mp3Options): Promise<RemuxResult> {
  await ensureMp3Encoder();
  const { durationSec } = await reencodeAudioRuns(runs, {
    ...options,
    format: new Mp3OutputFormat(),
    codec: 'mp3',
    quality: new Quality({ bitrate: options.bitrateKbps * 1000, bitrateMode: 'constant' }),
    noAudioMessage: 'This recording has no audio to put in an MP3 file.',
    maxChannels: 2,
  });
  return { durationSec, codecs: ['mp3'] };
}
