/**
 * `npm run bench:relay`: the relay's camera pipeline (RTSP -> depacketizers -> mediabunny live
 * HLS, in memory) next to `ffmpeg -rtsp_transport tcp -i URL -c copy -f hls` on the same
 * streams, for 1 and for 8 concurrent 1080p 4 Mb/s H.264 cameras served by GStreamer's RTSP
 * server (relay/bench/rtsp-file-server.py, a pre-encoded clip paced in real time).
 *
 * Figures per configuration, over a measurement window that starts once every camera has a
 * playlist:
 * - CPU time per minute of stream (user + system; relay: process.cpuUsage() of its own
 *   process; ffmpeg: /proc/<pid>/stat of all its processes);
 * - memory per camera (relay: rise of the process' peak RSS over its idle RSS, divided by the
 *   cameras, plus the bytes of HLS held in memory; ffmpeg: mean peak RSS of one process);
 * - latency from a segment's end (its EXT-X-PROGRAM-DATE-TIME + EXTINF: the RTCP sender
 *   report wall clock of the keyframe that closes it, else that keyframe's arrival time) to
 *   the playlist listing it being written. A frame at the start of a segment waits one more
 *   segment duration (2 s target) before it can be listed.
 *
 * BENCH_RELAY_SEC sets the window (default 60 s); BENCH_RELAY_CAMERAS the counts (default "1,8").
 * Nothing is asserted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { cpuTimeMs, rssBytes } from './proc-stats.ts';

const seconds = Number(process.env.BENCH_RELAY_SEC ?? 60);
const cameraCounts = (process.env.BENCH_RELAY_CAMERAS ?? '1,8').split(',').map(Number);
const workDir = join(tmpdir(), 'tapedeck-relay-bench');
const here = fileURLToPath(new URL('.', import.meta.url));
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Runs a command to completion. @throws Error with its stderr on a non-zero exit. */
function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}: ${stderr}`))));
  });
}

/** A 1080p25 4 Mb/s H.264 clip (keyframe every 2 s, no B-frames) long enough for one configuration. */
async function makeClip(): Promise<string> {
  await mkdir(workDir, { recursive: true });
  const unit = join(workDir, 'unit-1080p-4M.mp4');
  if (!existsSync(unit)) {
    console.log('Encoding a 10 s 1080p 4 Mb/s clip…');
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=25', '-t', '10', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-b:v', '4M', '-maxrate', '4M', '-bufsize', '4M', '-g', '50', '-bf', '0', '-pix_fmt', 'yuv420p', unit]);
  }
  const loops = Math.ceil((seconds + 60) / 10);
  const clip = join(workDir, `clip-${loops * 10}s.mp4`);
  if (!existsSync(clip)) await run('ffmpeg', ['-v', 'error', '-y', '-stream_loop', String(loops - 1), '-i', unit, '-c', 'copy', clip]);
  return clip;
}

/** Starts the RTSP file server; resolves with its URL and a stop function. */
async function startServer(clip: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn('/usr/bin/python3', [join(here, 'rtsp-file-server.py'), '--file', clip], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`rtsp-file-server.py exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const ready = /^READY (\d+)$/.exec(line);
      if (ready) resolve(Number(ready[1]));
    });
  });
  return { url: `rtsp://127.0.0.1:${port}/cam`, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

interface Figures {
  cpuMsPerMin: number;
  memoryPerCameraBytes: number;
  note: string;
  latencyMs: { median: number; p95: number; max: number } | null;
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
};

/** The relay's pipelines in a child process (so its CPU and memory are its own). */
async function measureRelay(url: string, cameras: number): Promise<Figures> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'relay-worker.ts')], {
    env: { ...process.env, BENCH_URL: url, BENCH_CAMERAS: String(cameras), BENCH_SECONDS: String(seconds) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let last = '';
  createInterface({ input: child.stdout! }).on('line', (line) => (last = line));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`relay-worker exited with ${code}`);
  const result = JSON.parse(last) as { cpuMs: number; userMs: number; systemMs: number; seconds: number; baselineRssBytes: number; peakRssBytes: number; heldBytes: number; latenciesMs: number[]; packetsLost: number };
  return {
    cpuMsPerMin: (result.cpuMs / result.seconds) * 60,
    memoryPerCameraBytes: (result.peakRssBytes - result.baselineRssBytes) / cameras,
    note: `CPU user ${(result.userMs / 1000).toFixed(1)} s + system ${(result.systemMs / 1000).toFixed(1)} s; process idle ${mb(result.baselineRssBytes)}, peak ${mb(result.peakRssBytes)}; HLS held ${mb(result.heldBytes / cameras)}/camera; packets lost ${result.packetsLost}`,
    latencyMs: result.latenciesMs.length === 0 ? null : { median: percentile(result.latenciesMs, 0.5), p95: percentile(result.latenciesMs, 0.95), max: Math.max(...result.latenciesMs) },
  };
}

/** `ffmpeg -rtsp_transport tcp -i URL -c copy -f hls`, one process per camera. */
async function measureFfmpeg(url: string, cameras: number): Promise<Figures> {
  const outDir = join(workDir, 'ffmpeg-hls');
  await rm(outDir, { recursive: true, force: true });
  const children = await Promise.all(
    Array.from({ length: cameras }, async (_, i) => {
      const dir = join(outDir, `cam${i + 1}`);
      await mkdir(dir, { recursive: true });
      return spawn('ffmpeg', ['-v', 'error', '-rtsp_transport', 'tcp', '-i', url, '-c', 'copy', '-f', 'hls', '-hls_time', '2', '-hls_list_size', '6', '-hls_flags', 'delete_segments', join(dir, 'index.m3u8')], { stdio: 'ignore' });
    }),
  );
  try {
    const deadline = Date.now() + 30_000;
    while (!children.every((_, i) => existsSync(join(outDir, `cam${i + 1}`, 'index.m3u8')))) {
      if (Date.now() > deadline) throw new Error('ffmpeg wrote no playlist within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const cpuStart = children.map((child) => cpuTimeMs(child.pid!) ?? 0);
    const peaks = children.map(() => 0);
    const sampler = setInterval(() => children.forEach((child, i) => (peaks[i] = Math.max(peaks[i]!, rssBytes(child.pid!) ?? 0))), 250);
    const startedMs = performance.now();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const cpuEnd = children.map((child) => cpuTimeMs(child.pid!) ?? 0);
    const elapsedSec = (performance.now() - startedMs) / 1000;
    clearInterval(sampler);
    const cpuMs = cpuEnd.reduce((sum, end, i) => sum + end - cpuStart[i]!, 0);
    const meanPeak = peaks.reduce((a, b) => a + b, 0) / cameras;
    return { cpuMsPerMin: (cpuMs / elapsedSec) * 60, memoryPerCameraBytes: meanPeak, note: `mean peak RSS of one ffmpeg process`, latencyMs: null };
  } finally {
    await Promise.all(children.map(stopChild));
  }
}

const clip = await makeClip();
const results: [string, number, Figures][] = [];
for (const cameras of cameraCounts) {
  for (const [name, measure] of [['relay', measureRelay], ['ffmpeg', measureFfmpeg]] as const) {
    const server = await startServer(clip);
    try {
      console.log(`${name}: ${cameras} camera(s), ${seconds} s…`);
      const figures = await measure(server.url, cameras);
      results.push([name, cameras, figures]);
      console.log(`  ${JSON.stringify(figures)}`);
    } finally {
      await server.stop();
    }
  }
}

console.log('');
console.log('cameras | pipeline | CPU s/min | ratio | memory/camera | ratio | segment end -> listed (median / p95 / max)');
for (const cameras of cameraCounts) {
  const ffmpeg = results.find(([name, n]) => name === 'ffmpeg' && n === cameras)?.[2];
  for (const [name, n, figures] of results.filter(([, n]) => n === cameras)) {
    const latency = figures.latencyMs === null ? 'n/a' : `${figures.latencyMs.median.toFixed(0)} / ${figures.latencyMs.p95.toFixed(0)} / ${figures.latencyMs.max.toFixed(0)} ms`;
    const cpuRatio = ffmpeg === undefined ? '' : `${(figures.cpuMsPerMin / ffmpeg.cpuMsPerMin).toFixed(2)}x`;
    const memRatio = ffmpeg === undefined ? '' : `${(figures.memoryPerCameraBytes / ffmpeg.memoryPerCameraBytes).toFixed(2)}x`;
    console.log(`${n} | ${name} | ${(figures.cpuMsPerMin / 1000).toFixed(2)} | ${cpuRatio} | ${mb(figures.memoryPerCameraBytes)} | ${memRatio} | ${latency}   (${figures.note})`);
  }
}
