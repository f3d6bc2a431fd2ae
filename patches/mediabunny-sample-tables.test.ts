// Checks patches/mediabunny+1.61.0.patch, applied to mediabunny's ES modules by `patch-package`
// after each install. The patch keeps the ISOBMFF muxer's sample tables in typed arrays instead of
// one object per packet (see isobmff-sample-tables.js in the patch). Its oracle is mediabunny's own
// CommonJS bundle, which the patch leaves as published: every file the patched muxer writes must be
// byte for byte the file the published muxer writes.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as patched from 'mediabunny';

type Mediabunny = typeof patched;

/** Loads the published CommonJS bundle, without mediabunny's warning that it was loaded twice. */
function publishedMediabunny(): Mediabunny {
  delete (globalThis as Record<symbol, unknown>)[Symbol.for('mediabunny loaded')];
  return createRequire(import.meta.url)('mediabunny') as Mediabunny;
}
const published = publishedMediabunny();
const execFileAsync = promisify(execFile);

/** An AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1) with one tiny SPS and PPS. */
const AVC_DESCRIPTION = new Uint8Array([1, 0x64, 0, 0x1f, 0xff, 0xe1, 0, 4, 0x67, 0x64, 0, 0x1f, 1, 0, 4, 0x68, 0xee, 0x3c, 0x80]);
/** AudioSpecificConfig of AAC-LC, 48 kHz, stereo (ISO/IEC 14496-3 1.6.2.1). */
const AAC_DESCRIPTION = new Uint8Array([0x11, 0x90]);

type FastStart = false | 'in-memory' | 'reserve' | 'fragmented';
interface VideoPlan {
  gopLengths: number[];
  /** B-frames between two reference frames, sent after the later one (decode order). */
  bFrameCount: number;
  frameDurationSec: number;
  frameRate: number | undefined;
  /** Added to each presentation time, in 0.1 ms steps, cycling. */
  jitter: number[];
  startSec: number;
  sizes: number[];
}
interface AudioPlan {
  packetCount: number;
  packetDurationSec: number;
  jitter: number[];
  startSec: number;
  sizes: number[];
  pcm: boolean;
}
interface MuxPlan {
  fastStart: FastStart;
  video: VideoPlan | undefined;
  audio: AudioPlan | undefined;
}
interface PlannedPacket {
  track: 'video' | 'audio';
  type: 'key' | 'delta';
  timestampSec: number;
  durationSec: number;
  size: number;
}

function videoPackets(video: VideoPlan): PlannedPacket[] {
  const packets: PlannedPacket[] = [];
  let firstFrame = 0;
  for (const gopLength of video.gopLengths) {
    const decodeOrder = [0];
    for (let next = 1; next < gopLength;) {
      const reference = Math.min(next + video.bFrameCount, gopLength - 1);
      decodeOrder.push(reference);
      for (let b = next; b < reference; b++) decodeOrder.push(b);
      next = reference + 1;
    }
    for (const indexInGop of decodeOrder) {
      const frame = firstFrame + indexInGop;
      packets.push({
        track: 'video',
        type: indexInGop === 0 ? 'key' : 'delta',
        timestampSec: video.startSec + frame * video.frameDurationSec + video.jitter[frame % video.jitter.length]! * 1e-4,
        durationSec: video.frameDurationSec,
        size: video.sizes[frame % video.sizes.length]!,
      });
    }
    firstFrame += gopLength;
  }
  return packets;
}

function audioPackets(audio: AudioPlan): PlannedPacket[] {
  return Array.from({ length: audio.packetCount }, (_, i) => ({
    track: 'audio' as const,
    type: 'key' as const,
    timestampSec: audio.startSec + i * audio.packetDurationSec + audio.jitter[i % audio.jitter.length]! * 1e-5,
    durationSec: audio.packetDurationSec,
    size: audio.pcm ? 4 * Math.max(1, Math.round(audio.packetDurationSec * 48_000)) : audio.sizes[i % audio.sizes.length]!,
  }));
}

/** Muxes the plan's packets, video and audio interleaved by time, and returns the file. */
async function mux(lib: Mediabunny, plan: MuxPlan): Promise<Uint8Array> {
  const target = new lib.BufferTarget();
  const output = new lib.Output({ format: new lib.Mp4OutputFormat({ fastStart: plan.fastStart }), target });
  const reserve = plan.fastStart === 'reserve' ? { maximumPacketCount: 100_000 } : {};
  const video = plan.video && new lib.EncodedVideoPacketSource('avc');
  const audio = plan.audio && new lib.EncodedAudioPacketSource(plan.audio.pcm ? 'pcm-s16' : 'aac');
  if (video) output.addVideoTrack(video, { ...reserve, ...(plan.video?.frameRate ? { frameRate: plan.video.frameRate } : {}) });
  if (audio) output.addAudioTrack(audio, reserve);
  await output.start();

  const videoQueue = plan.video ? videoPackets(plan.video) : [];
  const audioQueue = plan.audio ? audioPackets(plan.audio) : [];
  let videoSent = 0;
  let audioSent = 0;
  while (videoSent < videoQueue.length || audioSent < audioQueue.length) {
    const nextVideo = videoQueue[videoSent];
    const nextAudio = audioQueue[audioSent];
    if (nextVideo && (!nextAudio || nextVideo.timestampSec <= nextAudio.timestampSec)) {
      const meta = videoSent++ === 0
        ? { decoderConfig: { codec: 'avc1.64001f', codedWidth: 640, codedHeight: 360, description: AVC_DESCRIPTION } }
        : undefined;
      await video!.add(new lib.EncodedPacket(new Uint8Array(nextVideo.size).fill(7), nextVideo.type, nextVideo.timestampSec, nextVideo.durationSec), meta);
    } else if (nextAudio) {
      const decoderConfig = plan.audio!.pcm
        ? { codec: 'pcm-s16', sampleRate: 48_000, numberOfChannels: 2 }
        : { codec: 'mp4a.40.2', sampleRate: 48_000, numberOfChannels: 2, description: AAC_DESCRIPTION };
      const meta = audioSent++ === 0 ? { decoderConfig } : undefined;
      await audio!.add(new lib.EncodedPacket(new Uint8Array(nextAudio.size).fill(3), nextAudio.type, nextAudio.timestampSec, nextAudio.durationSec), meta);
    }
  }
  await output.finalize();
  return new Uint8Array(target.buffer!);
}

/** Outcome of a mux: the file, or the error message when the muxer refused the plan. */
async function muxOutcome(lib: Mediabunny, plan: MuxPlan): Promise<Uint8Array | string> {
  try {
    return await mux(lib, plan);
  } catch (error) {
    return String(error);
  }
}

const planArbitrary: fc.Arbitrary<MuxPlan> = fc.record({
  fastStart: fc.constantFrom<FastStart>(false, 'in-memory', 'reserve', 'fragmented'),
  video: fc.option(fc.record({
    gopLengths: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 12 }),
    bFrameCount: fc.integer({ min: 0, max: 3 }),
    frameDurationSec: fc.constantFrom(1 / 25, 1001 / 30_000, 1 / 60, 1 / 24),
    frameRate: fc.option(fc.constantFrom(25, 29.97, 30, 60), { nil: undefined }),
    jitter: fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 7 }),
    startSec: fc.constantFrom(0, 0.5, 10, 3600.123),
    sizes: fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 9 }),
  }), { nil: undefined }),
  audio: fc.option(fc.record({
    packetCount: fc.integer({ min: 1, max: 600 }),
    packetDurationSec: fc.constantFrom(1024 / 48_000, 1024 / 44_100, 1152 / 48_000, 0.02),
    jitter: fc.array(fc.integer({ min: -2, max: 2 }), { minLength: 1, maxLength: 5 }),
    startSec: fc.constantFrom(0, 0.3, 10, 3600.1),
    sizes: fc.array(fc.integer({ min: 1, max: 800 }), { minLength: 1, maxLength: 9 }),
    pcm: fc.boolean(),
  }), { nil: undefined }),
})
  .filter((plan) => plan.video !== undefined || plan.audio !== undefined)
  // Fragmented files cannot hold PCM in mediabunny (it throws the same in both).
  .filter((plan) => !(plan.fastStart === 'fragmented' && plan.audio?.pcm));

describe('mediabunny patch: compact ISOBMFF sample tables', () => {
  beforeEach(() => {
    // mvhd, tkhd and mdhd carry the creation time; both muxers must see the same one.
    vi.useFakeTimers({ now: new Date('2026-11-23T12:00:00Z'), toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is applied to the ES modules and not to the CommonJS bundle used as the oracle', () => {
    const bundle = createRequire(import.meta.url).resolve('mediabunny');
    expect(bundle).toMatch(/dist\/bundles\/mediabunny\.node\.cjs$/);
    expect(readFileSync(bundle, 'utf8')).not.toContain('Tapedeck patch');
    const muxer = join(dirname(bundle), '../modules/src/isobmff/isobmff-muxer.js');
    expect(readFileSync(muxer, 'utf8')).toContain("from './isobmff-sample-tables.js'");
  });

  it('writes the very bytes of the published muxer, in every fast-start mode', async () => {
    await fc.assert(
      fc.asyncProperty(planArbitrary, async (plan) => {
        const expected = await muxOutcome(published, plan);
        const actual = await muxOutcome(patched, plan);
        if (typeof expected === 'string' || typeof actual === 'string') {
          // Plans the published muxer refuses (its reserve mode asserts on some) must fail alike.
          expect(actual).toEqual(expected);
          return;
        }
        expect(actual.byteLength).toBe(expected.byteLength);
        expect(Buffer.compare(actual, expected)).toBe(0);
      }),
      { numRuns: 150 },
    );
  }, 60_000);

  it('writes the same co64 chunk offsets when the file passes 4 GiB', async () => {
    // 200 packets of 24 MiB: 4.7 GiB of mdat, discarded as written; only the moov box is kept.
    const bigPayload = new Uint8Array(24 * 1024 * 1024);
    const moovOf = async (lib: Mediabunny) => {
      let moov: { data: Uint8Array; position: number } | undefined;
      const output = new lib.Output({
        format: new lib.Mp4OutputFormat({ fastStart: false, onMoov: (data, position) => { moov = { data: data.slice(), position }; } }),
        target: new lib.NullTarget(),
      });
      const video = new lib.EncodedVideoPacketSource('avc');
      output.addVideoTrack(video);
      await output.start();
      for (let i = 0; i < 600; i++) {
        const meta = i === 0 ? { decoderConfig: { codec: 'avc1.64001f', codedWidth: 640, codedHeight: 360, description: AVC_DESCRIPTION } } : undefined;
        await video.add(new lib.EncodedPacket(i % 3 === 0 ? bigPayload : new Uint8Array(100 + i), i % 30 === 0 ? 'key' : 'delta', i / 25, 1 / 25), meta);
      }
      await output.finalize();
      return moov!;
    };
    const expected = await moovOf(published);
    const actual = await moovOf(patched);
    expect(actual.position).toBeGreaterThan(2 ** 32);
    expect(Buffer.from(actual.data).includes(Buffer.from('co64'))).toBe(true);
    expect(actual.position).toBe(expected.position);
    expect(Buffer.compare(actual.data, expected.data)).toBe(0);
  });

  it('keeps a few bytes per packet until the moov box, where the published muxer keeps an object', async () => {
    // A clean Node process for each: the test runner's own allocations would blur a few bytes per packet.
    const measure = async (muxer: 'patched' | 'published') => {
      const { stdout } = await execFileAsync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(new URL('./muxer-memory.ts', import.meta.url)), muxer]);
      return JSON.parse(stdout) as { packetCount: number; bytesPerPacket: number; peakRssRiseMB: number };
    };
    const [publishedMuxer, patchedMuxer] = [await measure('published'), await measure('patched')];
    console.info(`MP4 muxer, ${patchedMuxer.packetCount} packets: published ${JSON.stringify(publishedMuxer)}, patched ${JSON.stringify(patchedMuxer)}`);
    // The measure sees the published muxer's object per packet (about 160 bytes), and its peak
    // while it builds the moov box from nested arrays (about 460 MB)...
    expect(publishedMuxer.bytesPerPacket).toBeGreaterThan(100);
    expect(publishedMuxer.peakRssRiseMB).toBeGreaterThan(250);
    // ...and the patch's 4-byte sample size (plus 4 per key frame), and a peak of a few tables.
    expect(patchedMuxer.bytesPerPacket).toBeLessThan(8);
    expect(patchedMuxer.peakRssRiseMB).toBeLessThan(100);
  }, 120_000);
});
