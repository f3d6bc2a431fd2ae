import { registerMp3Encoder } from '@mediabunny/mp3-encoder';
import { ALL_FORMATS, AudioSampleSink, AudioSampleSource, BlobSource, canEncodeAudio, Input, Mp3OutputFormat, Output, Quality, StreamTarget, type MetadataTags, type StreamTargetChunk } from 'mediabunny';
import { UnsupportedExportError, type RemuxResult } from './remux.ts';

/** MP3 bitrates offered, in kb/s. */
export type Mp3BitrateKbps = 128 | 192 | 320;

/** Options of {@link encodeMp3Runs}. */
export interface Mp3Options {
  bitrateKbps: Mp3BitrateKbps;
  /** Receives the file as positioned writes; a FileSystemWritableFileStream fits. Closed at the end. */
  writable: WritableStream<StreamTargetChunk>;
  /** Total duration of the input, in seconds, for progress. */
  totalDurationSec: number;
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
 * Decodes the recording's first audio track (AAC) and encodes it as constant-bitrate MP3 with
 * @mediabunny/mp3-encoder (LAME in WebAssembly), with an ID3v2 tag from `tags`.
 *
 * As in {@link remuxRuns}, `runs` are the segments split where timestamps break; each run's
 * samples are placed right after the previous run's, and each segment is demuxed and decoded
 * on its own and released before the next, so memory stays bounded by one segment plus the
 * encoder's buffers. MP3 frames carry no timestamps: the file's duration is the audio decoded.
 * @returns the duration written, in seconds, and the codec (`mp3`).
 * @throws UnsupportedExportError when the recording has no audio or no segments.
 * @throws Error from mediabunny for bytes it cannot demux or decode.
 */
export async function encodeMp3Runs(runs: Blob[][], options: Mp3Options): Promise<RemuxResult> {
  await ensureMp3Encoder();
  const output = new Output({
    format: new Mp3OutputFormat(),
    target: new StreamTarget(options.writable, { chunked: true, chunkSize: 4 * 1024 * 1024 }),
  });
  if (options.tags) output.setMetadataTags(options.tags);
  const source = new AudioSampleSource({ codec: 'mp3', quality: new Quality({ bitrate: options.bitrateKbps * 1000, bitrateMode: 'constant' }) });
  let started = false;
  let offsetSec = 0;
  const total = Math.max(options.totalDurationSec, 1e-9);
  try {
    for (const run of runs) {
      let baseSec: number | null = null;
      let endSec = offsetSec;
      for (const segment of run) {
        const input = new Input({ source: new BlobSource(segment), formats: ALL_FORMATS });
        try {
          const track = await input.getPrimaryAudioTrack();
          if (!track) throw new UnsupportedExportError('This recording has no audio to put in an MP3 file.');
          if (!started) {
            output.addAudioTrack(source);
            await output.start();
            started = true;
          }
          for await (const sample of new AudioSampleSink(track).samples()) {
            try {
              baseSec ??= sample.timestamp;
              const timestampSec = Math.max(0, sample.timestamp - baseSec + offsetSec);
              sample.setTimestamp(timestampSec);
              await source.add(sample);
              endSec = Math.max(endSec, timestampSec + sample.duration);
              options.onProgress?.(Math.min(1, endSec / total));
            } finally {
              sample.close();
            }
          }
        } finally {
          input.dispose();
        }
      }
      offsetSec = endSec;
    }
    if (!started) throw new UnsupportedExportError('This recording has no segments to export.');
    source.close();
    await output.finalize();
    options.onProgress?.(1);
    return { durationSec: offsetSec, codecs: ['mp3'] };
  } catch (error) {
    if (output.state !== 'finalized' && output.state !== 'canceled') await output.cancel();
    throw error;
  }
}
