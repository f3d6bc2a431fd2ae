/**
 * `npm run bench:export:mp3`: encode speed, in times real time, of the audio encoders an export
 * can use, on the same 10-minute stereo 48 kHz AAC recording (MPEG-TS, made here by native
 * ffmpeg): MP3 by @mediabunny/mp3-encoder (what Tapedeck uses), by ffmpeg.wasm's libmp3lame and
 * by native ffmpeg; AAC by WebCodecs, by ffmpeg.wasm and by Tapedeck's M4A re-encode; Opus by
 * WebCodecs; and MP3 from the same audio as 5.1 AC-3 at 384 kb/s (a TV stream's sound, which
 * ffmpeg.wasm decodes), next to native ffmpeg. Every figure includes decoding the source; the
 * MP3 rows are medians of three runs. Nothing is asserted. Set BENCH_AUDIO_SEC to change the length.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright';
import { createServer } from 'vite';
import { chromiumArgs, chromiumExecutablePath } from '../tests/helpers/chromium.ts';
import { serveDirectory } from '../tests/helpers/static-dir-server.ts';
import type { EncoderTiming } from './export-mp3-page.ts';
import { BASELINE_RUNS, run, runMedian, workDir } from './harness.ts';

const durationSec = Number(process.env.BENCH_AUDIO_SEC ?? 600);
const dir = join(workDir, 'audio-bench');
await mkdir(dir, { recursive: true });
const source = join(dir, `tone-${durationSec}s.ts`);
// Music-like: a chord with noise, so the encoders have real work (a pure tone is too easy).
await run('ffmpeg', [
  ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `aevalsrc=0.2*sin(2*PI*220*t)+0.15*sin(2*PI*277*t)+0.1*sin(2*PI*330*t)|0.2*sin(2*PI*221*t)+0.1*sin(2*PI*440*t):s=48000:d=${durationSec}`],
  ...['-f', 'lavfi', '-i', `anoisesrc=color=pink:amplitude=0.05:r=48000:d=${durationSec}`],
  ...['-filter_complex', '[0:a][1:a]amix=inputs=2:normalize=0', '-c:a', 'aac', '-b:a', '128k', '-f', 'mpegts', source],
]);
// The same audio cut into 6 s segments, as a recording stores it: Tapedeck's rows read these.
const segmentDir = join(dir, `segments-${durationSec}s`);
await rm(segmentDir, { recursive: true, force: true });
await mkdir(segmentDir);
await run('ffmpeg', ['-v', 'error', '-i', source, '-c', 'copy', '-f', 'segment', '-segment_time', '6', '-segment_format', 'mpegts', join(segmentDir, 'seg-%04d.ts')]);
const segmentNames = (await readdir(segmentDir)).filter((name) => name.endsWith('.ts')).sort();
// The same as 5.1 AC-3, segmented alike: the audio of a TV recording.
const ac3Source = join(dir, `tone-${durationSec}s-ac3.ts`);
await run('ffmpeg', ['-v', 'error', '-y', '-i', source, '-c:a', 'ac3', '-ac', '6', '-b:a', '384k', '-f', 'mpegts', ac3Source]);
const ac3SegmentDir = join(dir, `segments-${durationSec}s-ac3`);
await rm(ac3SegmentDir, { recursive: true, force: true });
await mkdir(ac3SegmentDir);
await run('ffmpeg', ['-v', 'error', '-i', ac3Source, '-c', 'copy', '-f', 'segment', '-segment_time', '6', '-segment_format', 'mpegts', join(ac3SegmentDir, 'seg-%04d.ts')]);
const ac3SegmentNames = (await readdir(ac3SegmentDir)).filter((name) => name.endsWith('.ts')).sort();
console.log(`Source: ${durationSec} s stereo 48 kHz AAC 128 kb/s in MPEG-TS, ${((await stat(source)).size / 1e6).toFixed(1)} MB, and cut into ${segmentNames.length} segments`);

const nativeMp3 = await runMedian('ffmpeg', ['-v', 'error', '-y', '-i', source, '-c:a', 'libmp3lame', '-b:a', '192k', join(dir, 'native.mp3')]);
const nativeAc3Mp3 = await runMedian('ffmpeg', ['-v', 'error', '-y', '-i', ac3Source, '-ac', '2', '-c:a', 'libmp3lame', '-b:a', '192k', join(dir, 'native-ac3.mp3')]);
const nativeAac = await run('ffmpeg', ['-v', 'error', '-y', '-i', source, '-c:a', 'aac', '-b:a', '128k', join(dir, 'native.m4a')]);

const files = await serveDirectory(dir);
// Pre-bundled up front, no file watching: a dependency found or a file edited mid-run would
// make the dev server reload the page.
const server = await createServer({ server: { port: 0, host: '127.0.0.1', hmr: false, watch: null }, logLevel: 'warn', optimizeDeps: { include: ['@ffmpeg/ffmpeg'] } });
await server.listen();
const browser = await chromium.launch({ executablePath: chromiumExecutablePath(), args: chromiumArgs });
try {
  const page = await browser.newPage();
  await page.goto(server.resolvedUrls!.local[0]!);
  // The dev server reloads the page when it finds a dependency to pre-bundle: import the bench
  // module until a load survives, then run it.
  for (let attempt = 1; ; attempt++) {
    try {
      await page.evaluate(async () => {
        const modulePath = '/bench/export-mp3-page.ts';
        await import(/* @vite-ignore */ modulePath);
      });
      break;
    } catch (error) {
      if (attempt >= 5) throw error;
      await page.waitForLoadState('load');
    }
  }
  const results = await page.evaluate(
    async ({ url, segmentUrls, ac3SegmentUrls, seconds, repeats }) => {
      const modulePath = '/bench/export-mp3-page.ts';
      const bench = (await import(/* @vite-ignore */ modulePath)) as typeof import('./export-mp3-page.ts');
      return bench.runEncoderBench(url, segmentUrls, ac3SegmentUrls, seconds, repeats);
    },
    {
      url: `${files.origin}/tone-${durationSec}s.ts`,
      segmentUrls: segmentNames.map((name) => `${files.origin}/segments-${durationSec}s/${name}`),
      ac3SegmentUrls: ac3SegmentNames.map((name) => `${files.origin}/segments-${durationSec}s-ac3/${name}`),
      seconds: durationSec,
      repeats: BASELINE_RUNS,
    },
  );
  const row = (name: string, timing: EncoderTiming | { ms: number }) => {
    if (!('ms' in timing)) return `${name.padEnd(40)} unavailable: ${timing.unavailable}`;
    const speed = name.endsWith('load') ? '' : `  ${(durationSec / (timing.ms / 1000)).toFixed(1).padStart(7)}x real time`;
    return `${name.padEnd(40)} ${(timing.ms / 1000).toFixed(2).padStart(7)} s${speed}`;
  };
  console.log('');
  for (const [name, timing] of Object.entries(results)) console.log(row(name, timing));
  console.log(row('mp3 native ffmpeg libmp3lame', { ms: nativeMp3.elapsedMs }));
  console.log(row('aac native ffmpeg', { ms: nativeAac.elapsedMs }));
  console.log(row('mp3 from 5.1 ac3 native ffmpeg', { ms: nativeAc3Mp3.elapsedMs }));
} finally {
  await browser.close();
  await server.close();
  await files.close();
}
