/**
 * Browser half of `npm run bench:export:mp3` (bench/export-mp3.ts imports it into a page of the
 * Vite dev server): times each encoder on the same MPEG-TS (AAC audio) file. Every timing
 * includes demuxing and decoding the AAC, as an export does.
 */
import { ALL_FORMATS, BlobSource, BufferTarget, canEncodeAudio, Conversion, Input, Mp4OutputFormat, Output, type StreamTargetChunk } from 'mediabunny';
import { encodeMp3Runs } from '../src/export/mp3-encode.ts';
import { FfmpegSession } from '../src/export/transcode/ffmpeg-session.ts';
import { encodeOpusSegments } from '../src/export/transcode/webcodecs-audio.ts';

/** One encoder's timing, in ms, or why it could not run. */
export type EncoderTiming = { ms: number; outputBytes: number } | { unavailable: string };

function countingSink(): { writable: WritableStream<StreamTargetChunk>; bytes: () => number } {
  let end = 0;
  return {
    writable: new WritableStream<StreamTargetChunk>({ write: (chunk) => void (end = Math.max(end, chunk.position + chunk.data.byteLength)) }),
    bytes: () => end,
  };
}

async function time(run: () => Promise<number>): Promise<EncoderTiming> {
  const startedMs = performance.now();
  try {
    const outputBytes = await run();
    return { ms: performance.now() - startedMs, outputBytes };
  } catch (error) {
    return { unavailable: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Runs every encoder on the file at `tsUrl` (`durationSec` long) and returns the timings:
 * MP3 192 kb/s by @mediabunny/mp3-encoder and by ffmpeg.wasm libmp3lame; AAC 128 kb/s by
 * WebCodecs (mediabunny Conversion) and by ffmpeg.wasm; Opus 96 kb/s by WebCodecs; and the
 * time to load the ffmpeg.wasm core.
 */
export async function runEncoderBench(tsUrl: string, durationSec: number): Promise<Record<string, EncoderTiming>> {
  const data = await (await fetch(tsUrl)).blob();
  const results: Record<string, EncoderTiming> = {};
  const segment = { msn: 0, discontinuity: false, durationSec, data };

  results['mp3 @mediabunny/mp3-encoder'] = await time(async () => {
    const sink = countingSink();
    await encodeMp3Runs([[data]], { bitrateKbps: 192, writable: sink.writable, totalDurationSec: durationSec });
    return sink.bytes();
  });
  results['opus WebCodecs (mediabunny)'] = await time(async () => {
    const sink = countingSink();
    await encodeOpusSegments([segment], { bitrateKbps: 96, range: null, writable: sink.writable });
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

  let session: FfmpegSession | null = null;
  results['ffmpeg.wasm core load'] = await time(async () => {
    session = await FfmpegSession.load('/ffmpeg/');
    return 0;
  });
  const ffmpeg = session as FfmpegSession | null;
  if (ffmpeg) {
    await ffmpeg.writeFile('in.ts', new Uint8Array(await data.arrayBuffer()));
    const runFfmpeg = (args: string[], out: string) =>
      time(async () => {
        await ffmpeg.run(['-hide_banner', '-loglevel', 'error', '-i', 'in.ts', '-vn', ...args, out]);
        const bytes = (await ffmpeg.readFile(out)).byteLength;
        await ffmpeg.deleteFile(out);
        return bytes;
      });
    results['mp3 ffmpeg.wasm libmp3lame'] = await runFfmpeg(['-c:a', 'libmp3lame', '-b:a', '192k', '-f', 'mp3'], 'out.mp3');
    results['aac ffmpeg.wasm (native aac)'] = await runFfmpeg(['-c:a', 'aac', '-b:a', '128k', '-f', 'mp4'], 'out.m4a');
    results['aac+loudnorm ffmpeg.wasm'] = await runFfmpeg(['-af', 'loudnorm=I=-16:TP=-1.5:LRA=11', '-ar', '48000', '-c:a', 'aac', '-b:a', '128k', '-f', 'mp4'], 'out.m4a');
    ffmpeg.terminate();
  }
  return results;
}
