/**
 * Browser half of `npm run bench:export:mp3` (bench/export-mp3.ts imports it into a page of the
 * Vite dev server): times each encoder on the same MPEG-TS (AAC audio) file. Every timing
 * includes demuxing and decoding the AAC, as an export does; the MP3 rows are the median of
 * `mp3Repeats` runs.
 */
import { ALL_FORMATS, BlobSource, BufferTarget, canEncodeAudio, Conversion, Input, Mp4OutputFormat, Output, type StreamTargetChunk } from 'mediabunny';
import { defaultConfig } from '../src/config.ts';
import { encodeMp3Runs } from '../src/export/mp3-encode.ts';
import { FfmpegSession } from '../src/export/transcode/ffmpeg-session.ts';
import { transcodeSegments, type TranscodeSegment } from '../src/export/transcode/transcode.ts';
import { encodeOpusRuns } from '../src/export/transcode/webcodecs-audio.ts';

/** One encoder's timing, in ms, or why it could not run. */
export type EncoderTiming = { ms: number; outputBytes: number } | { unavailable: string };

function countingSink(): { writable: WritableStream<StreamTargetChunk>; bytes: () => number } {
  let end = 0;
  return {
    writable: new WritableStream<StreamTargetChunk>({ write: (chunk) => void (end = Math.max(end, chunk.position + chunk.data.byteLength)) }),
    bytes: () => end,
  };
}

/** Runs `run` `repeats` times and gives the median time: the MP3 rows are the target, and one run on a shared machine is noisy. */
async function time(run: () => Promise<number>, repeats = 1): Promise<EncoderTiming> {
  const timesMs: number[] = [];
  let outputBytes = 0;
  try {
    for (let index = 0; index < repeats; index++) {
      const startedMs = performance.now();
      outputBytes = await run();
      timesMs.push(performance.now() - startedMs);
    }
  } catch (error) {
    return { unavailable: error instanceof Error ? error.message : String(error) };
  }
  timesMs.sort((a, b) => a - b);
  return { ms: timesMs[Math.floor(timesMs.length / 2)]!, outputBytes };
}

/**
 * Runs every encoder on the file at `tsUrl` (`durationSec` long) and returns the timings;
 * Tapedeck's own paths read the same audio as the segments at `segmentUrls`, as an export does.
 * MP3 192 kb/s by @mediabunny/mp3-encoder and by ffmpeg.wasm libmp3lame; AAC 128 kb/s by
 * WebCodecs (mediabunny Conversion), by ffmpeg.wasm alone and as Tapedeck's M4A re-encode does
 * it (src/export/transcode/aac-chunks.ts: the browser decodes, ffmpeg.wasm encodes overlapping
 * PCM chunks; with loudnorm, after a measuring pass); Opus 96 kb/s by WebCodecs; and the time
 * to load the ffmpeg.wasm core. And MP3 192 kb/s from the segments at `ac3SegmentUrls`, the
 * same audio as 5.1 AC-3, which ffmpeg.wasm decodes and mediabunny mixes down to stereo.
 */
export async function runEncoderBench(tsUrl: string, segmentUrls: string[], ac3SegmentUrls: string[], durationSec: number, mp3Repeats: number): Promise<Record<string, EncoderTiming>> {
  const data = await (await fetch(tsUrl)).blob();
  const segmentBlobs = await Promise.all(segmentUrls.map(async (url) => (await fetch(url)).blob()));
  const results: Record<string, EncoderTiming> = {};

  results['mp3 @mediabunny/mp3-encoder'] = await time(async () => {
    const sink = countingSink();
    await encodeMp3Runs([segmentBlobs], { bitrateKbps: 192, writable: sink.writable, totalDurationSec: durationSec });
    return sink.bytes();
  }, mp3Repeats);
  const ac3SegmentBlobs = await Promise.all(ac3SegmentUrls.map(async (url) => (await fetch(url)).blob()));
  results['mp3 from 5.1 ac3 (ffmpeg.wasm decodes)'] = await time(async () => {
    const sink = countingSink();
    await encodeMp3Runs([ac3SegmentBlobs], { bitrateKbps: 192, writable: sink.writable, totalDurationSec: durationSec });
    return sink.bytes();
  }, mp3Repeats);
  results['opus WebCodecs (mediabunny)'] = await time(async () => {
    const sink = countingSink();
    await encodeOpusRuns([segmentBlobs], { bitrateKbps: 96, writable: sink.writable, totalDurationSec: durationSec });
    return sink.bytes();
  });
  results['aac WebCodecs (mediabunny Conversion)'] = await time(async () => {
    if (!(await canEncodeAudio('aac', { bitrate: 128_000 }))) throw new Error('this Chromium has no AAC encoder in WebCodecs');
    const target = new BufferTarget();
    const input = new Input({ source: new BlobSource(data), formats: ALL_FORMATS });
    const output = new Output({ format: new Mp4OutputFormat(), target });
    const conversion = await Conversion.init({ input, output, video: { discard: true }, audio: { codec: 'aac', bitrate: 128_000, forceTranscode: true } });
    await conversion.execute();
    return target.buffer?.byteLength ?? 0;
  });

  const segments = segmentBlobs.map((blob, msn): TranscodeSegment => ({ msn, discontinuity: false, durationSec: durationSec / segmentBlobs.length, data: blob, byteLength: blob.size, programDateTimeMs: null }));
  for (const loudnorm of [false, true]) {
    results[`aac${loudnorm ? '+loudnorm' : ''} Tapedeck M4A re-encode`] = await time(async () => {
      const sink = countingSink();
      await transcodeSegments(segments, {
        format: 'm4a', settings: { audio: { codec: 'aac', bitrateKbps: 128, loudnorm }, video: null, burnWallClock: false }, range: null,
        recordingStartedAtMs: 0, timeZone: 'UTC', chunkSec: defaultConfig.export.transcodeChunkSec, chunkBytes: defaultConfig.export.transcodeChunkBytes,
        ffmpegBasePath: defaultConfig.export.ffmpegBasePath, writable: sink.writable,
      });
      return sink.bytes();
    });
  }

  let session: FfmpegSession | null = null;
  results['ffmpeg.wasm core load'] = await time(async () => {
    session = await FfmpegSession.load('/ffmpeg/');
    return 0;
  });
  const ffmpeg = session as FfmpegSession | null;
  if (ffmpeg) {
    await ffmpeg.writeFile('in.ts', new Uint8Array(await data.arrayBuffer()));
    const runFfmpeg = (args: string[], out: string, repeats = 1) =>
      time(async () => {
        await ffmpeg.run(['-hide_banner', '-loglevel', 'error', '-i', 'in.ts', '-vn', ...args, out]);
        const bytes = (await ffmpeg.readFile(out)).byteLength;
        await ffmpeg.deleteFile(out);
        return bytes;
      }, repeats);
    results['mp3 ffmpeg.wasm libmp3lame'] = await runFfmpeg(['-c:a', 'libmp3lame', '-b:a', '192k', '-f', 'mp3'], 'out.mp3', mp3Repeats);
    results['aac ffmpeg.wasm (native aac)'] = await runFfmpeg(['-c:a', 'aac', '-b:a', '128k', '-f', 'mp4'], 'out.m4a');
    results['aac+loudnorm ffmpeg.wasm'] = await runFfmpeg(['-af', 'loudnorm=I=-16:TP=-1.5:LRA=11', '-ar', '48000', '-c:a', 'aac', '-b:a', '128k', '-f', 'mp4'], 'out.m4a');
    ffmpeg.terminate();
  }
  return results;
}
