// Measures what mediabunny's MP4 muxer keeps per packet until it writes the moov box: the heap
// and ArrayBuffers retained after a full collection, from a quarter of the way to the end of four
// hours of 25 fps video (a key frame every 2 s) and 48 kHz AAC, 1,035,001 packets of 16 bytes.
//   node --expose-gc --import tsx patches/muxer-memory.ts patched    (the ES modules, as the app loads them)
//   node --expose-gc --import tsx patches/muxer-memory.ts published  (the CommonJS bundle, left as published)
// Prints {"muxer", "packetCount", "bytesPerPacket", "peakRssRiseMB"}: the last is the process's peak
// resident memory, which includes building the moov box at the end, less its resident memory before.
import { createRequire } from 'node:module';

const which = process.argv[2];
if (which !== 'patched' && which !== 'published') {
  throw new Error('usage: node --expose-gc --import tsx patches/muxer-memory.ts patched|published');
}
const gc = globalThis.gc;
if (typeof gc !== 'function') throw new Error('run node with --expose-gc');
const lib: typeof import('mediabunny') = which === 'patched'
  ? await import('mediabunny')
  : createRequire(import.meta.url)('mediabunny');

const AVC_DESCRIPTION = new Uint8Array([1, 0x64, 0, 0x1f, 0xff, 0xe1, 0, 4, 0x67, 0x64, 0, 0x1f, 1, 0, 4, 0x68, 0xee, 0x3c, 0x80]);
const AAC_DESCRIPTION = new Uint8Array([0x11, 0x90]);
const retainedBytes = () => {
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
};

const rssBeforeBytes = process.memoryUsage().rss;
const output = new lib.Output({ format: new lib.Mp4OutputFormat({ fastStart: false }), target: new lib.NullTarget() });
const video = new lib.EncodedVideoPacketSource('avc');
const audio = new lib.EncodedAudioPacketSource('aac');
output.addVideoTrack(video, { frameRate: 25 });
output.addAudioTrack(audio);
await output.start();
const payload = new Uint8Array(16);
const frameCount = 4 * 3600 * 25;
let audioPacketCount = 0;
let packetCount = 0;
let quarter = { bytes: 0, packetCount: 0 };
for (let frame = 0; frame < frameCount; frame++) {
  if (frame === frameCount / 4) quarter = { bytes: retainedBytes(), packetCount };
  const videoMeta = frame === 0
    ? { decoderConfig: { codec: 'avc1.64001f', codedWidth: 1280, codedHeight: 720, description: AVC_DESCRIPTION } }
    : undefined;
  await video.add(new lib.EncodedPacket(payload, frame % 50 === 0 ? 'key' : 'delta', frame / 25, 1 / 25), videoMeta);
  packetCount++;
  while ((audioPacketCount * 1024) / 48_000 <= (frame + 1) / 25) {
    const audioMeta = audioPacketCount === 0
      ? { decoderConfig: { codec: 'mp4a.40.2', sampleRate: 48_000, numberOfChannels: 2, description: AAC_DESCRIPTION } }
      : undefined;
    await audio.add(new lib.EncodedPacket(payload, 'key', (audioPacketCount * 1024) / 48_000, 1024 / 48_000), audioMeta);
    audioPacketCount++;
    packetCount++;
  }
}
const bytesPerPacket = (retainedBytes() - quarter.bytes) / (packetCount - quarter.packetCount);
await output.finalize();
// maxRSS is in KiB (getrusage(2)).
const peakRssRiseMB = (process.resourceUsage().maxRSS * 1024 - rssBeforeBytes) / 1e6;
console.log(JSON.stringify({
  muxer: which,
  packetCount,
  bytesPerPacket: Number(bytesPerPacket.toFixed(1)),
  peakRssRiseMB: Number(peakRssRiseMB.toFixed(1)),
}));
