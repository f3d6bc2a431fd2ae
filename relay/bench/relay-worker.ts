/**
 * Child process of `npm run bench:relay`: runs the relay's camera pipelines (createCameraStreams)
 * for BENCH_CAMERAS cameras on BENCH_URL, waits until every one has a playlist, then measures
 * for BENCH_SECONDS: CPU time (process.cpuUsage), peak RSS, and for every segment listed the
 * time from its end (EXT-X-PROGRAM-DATE-TIME + EXTINF, i.e. the RTCP-SR wall clock of the
 * keyframe that closed it) to the moment the playlist listing it was written.
 * Prints one JSON line: { cpuMs, userMs, systemMs, seconds, baselineRssBytes, peakRssBytes, heldBytes, latenciesMs }.
 */
import { createCameraStreams } from '../src/cameras/camera-streams.ts';
import { createLogger } from '../src/log.ts';

const url = process.env.BENCH_URL ?? '';
const cameraCount = Number(process.env.BENCH_CAMERAS ?? 1);
const seconds = Number(process.env.BENCH_SECONDS ?? 60);

const baselineRssBytes = process.memoryUsage().rss;
let measuring = false;
const latenciesMs: number[] = [];
const seen = new Set<string>();
const streams = createCameraStreams({
  logger: createLogger({ level: 'warn' }),
  config: { targetDurationSec: 2, liveSegmentCount: 6 },
  onPlaylist: (cameraId, text) => {
    const match = /#EXTINF:([\d.]+),\n#EXT-X-PROGRAM-DATE-TIME:(\S+)\n(\S+)\n$/.exec(text);
    if (match === null || seen.has(`${cameraId}/${match[3]}`)) return;
    seen.add(`${cameraId}/${match[3]}`);
    if (measuring) latenciesMs.push(Date.now() - (Date.parse(match[2]!) + Number(match[1]) * 1000));
  },
});
const ids = Array.from({ length: cameraCount }, (_, i) => `cam${i + 1}`);
streams.update(ids.map((id) => ({ id, name: id, group: 'bench', rtspUrl: url, transport: 'tcp', enabled: true })));
const signal = new AbortController().signal;
const ready = await Promise.all(ids.map((id) => streams.getFile(id, 'index.m3u8', signal)));
if (ready.some((file) => file === null)) {
  console.error(JSON.stringify(ids.map((id) => streams.status(id))));
  process.exit(1);
}
// Players keep asking, as hls.js would, so no camera stops for being idle.
const poll = setInterval(() => ids.forEach((id) => void streams.getFile(id, 'index.m3u8', signal)), 2000);
measuring = true;
let peakRssBytes = process.memoryUsage().rss;
let heldBytes = 0;
const sampler = setInterval(() => {
  peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss);
  heldBytes = Math.max(heldBytes, ids.reduce((sum, id) => sum + streams.bytesHeld(id), 0));
}, 250);
const cpuStart = process.cpuUsage();
const startedMs = performance.now();
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const cpu = process.cpuUsage(cpuStart);
const elapsedSec = (performance.now() - startedMs) / 1000;
clearInterval(sampler);
clearInterval(poll);
const lost = ids.reduce((sum, id) => sum + streams.status(id).packetsLost, 0);
await streams.close();
console.log(JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, userMs: cpu.user / 1000, systemMs: cpu.system / 1000, seconds: elapsedSec, baselineRssBytes, peakRssBytes, heldBytes, latenciesMs, packetsLost: lost }));
process.exit(0);
