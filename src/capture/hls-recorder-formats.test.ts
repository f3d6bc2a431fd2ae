import { afterEach, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../../tests/helpers/poll.ts';
import { quickCaptureConfig, StoreScope } from '../../tests/helpers/recorder-harness.ts';
import type { RecordingStore } from '../storage/recording-store.ts';
import type { Recording } from '../storage/types.ts';
import { HlsRecorder, type HlsRecorderEvents } from './hls-recorder.ts';
import { detectSegmentFormat, readPackedAudioPts90k } from './packed-audio.ts';

/**
 * HlsRecorder on every segment format, against real streams made by ffmpeg and GStreamer during
 * the run (tests/helpers/format-streams.ts) over real HTTP, into real IndexedDB.
 */

const formats = inject('formatStreamsUrl');
const config = quickCaptureConfig({ vodConcurrency: 3 });
const env = { now: () => Date.now(), random: () => 0 };
const stores = new StoreScope();
afterEach(() => stores.cleanUp());

async function bytesOf(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function recordVod(store: RecordingStore, url: string): Promise<{ recording: Recording; problems: HlsRecorderEvents['problem'][] }> {
  const recorder = new HlsRecorder(store, config, env);
  const problems: HlsRecorderEvents['problem'][] = [];
  recorder.on('problem', (problem) => problems.push(problem));
  await recorder.start({ url });
  return { recording: await recorder.done, problems };
}

/** The segment URIs of a playlist, resolved against its URL. */
async function segmentUrls(playlistUrl: string): Promise<string[]> {
  const text = new TextDecoder().decode(await bytesOf(playlistUrl));
  return text
    .split(/\r?\n/)
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => new URL(line, playlistUrl).href);
}

describe('HlsRecorder on fMP4 segments (EXT-X-MAP, RFC 8216 4.3.2.5)', () => {
  it('stores the init section once and each fragment with its id; the codecs are read from init + fragment', async () => {
    const store = await stores.open();
    const { recording, problems } = await recordVod(store, `${formats}/vod/fmp4/index.m3u8`);

    expect(problems).toEqual([]);
    expect(recording).toMatchObject({ status: 'complete', segmentCount: 3, gapCount: 0, kind: 'video' });
    expect(recording.codecs).toEqual([expect.stringMatching(/^avc1\./), expect.stringMatching(/^mp4a\.40/)]);
    const segments = await store.listSegments(recording.id);
    expect(segments.map((s) => s.initSectionId)).toEqual([0, 0, 0]);
    const inits = await store.listInitSections(recording.id);
    expect(inits.map((i) => i.initSectionId)).toEqual([0]);
    expect(new Uint8Array(await inits[0]!.data.arrayBuffer())).toEqual(await bytesOf(`${formats}/vod/fmp4/init.mp4`));
    const served = await Promise.all((await segmentUrls(`${formats}/vod/fmp4/index.m3u8`)).map(bytesOf));
    expect(await Promise.all(segments.map(async (s) => new Uint8Array(await s.data.arrayBuffer())))).toEqual(served);
  });

  it('a new EXT-X-MAP mid-stream gets a new id; the same bytes under another URI keep theirs; deleting the recording deletes them', async () => {
    const store = await stores.open();
    const { recording } = await recordVod(store, `${formats}/vod/fmp4-switch/index.m3u8`);

    expect(recording.segmentCount).toBe(9);
    const segments = await store.listSegments(recording.id);
    expect(segments.map((s) => s.initSectionId)).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0]);
    expect((await store.listInitSections(recording.id)).map((i) => i.initSectionId)).toEqual([0, 1]);

    await store.delete(recording.id);
    expect(await store.listInitSections(recording.id)).toEqual([]);
    expect(await store.listSegments(recording.id)).toEqual([]);
  });

  it('a missing init section makes gaps with a clear problem, and nothing half stored', async () => {
    const store = await stores.open();
    const playlist = [
      '#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:2', '#EXT-X-PLAYLIST-TYPE:VOD',
      `#EXT-X-MAP:URI="${formats}/vod/fmp4/no-such-init.mp4"`, '#EXTINF:2,', `${formats}/vod/fmp4/seg000.m4s`, '#EXT-X-ENDLIST', '',
    ].join('\n');
    const url = `${inject('faultServerUrl')}/file?body=${encodeURIComponent(playlist)}&type=application%2Fvnd.apple.mpegurl`;
    const { recording, problems } = await recordVod(store, url);

    expect(recording).toMatchObject({ segmentCount: 0, gapCount: 1 });
    expect(recording.gaps[0]).toMatchObject({ reason: 'not-found' });
    expect(problems[0]?.message).toContain('no-such-init.mp4');
    expect(await store.listInitSections(recording.id)).toEqual([]);
  });
});

describe('HlsRecorder on AES-128 encrypted fMP4 (RFC 8216 4.3.2.4 and 4.3.2.5)', () => {
  /** The clear `fmp4` VOD the encrypted one was made from: its init section and fragments. */
  async function clearFmp4(): Promise<{ init: Uint8Array; fragments: Uint8Array[] }> {
    const init = await bytesOf(`${formats}/vod/fmp4/init.mp4`);
    return { init, fragments: await Promise.all((await segmentUrls(`${formats}/vod/fmp4/index.m3u8`)).map(bytesOf)) };
  }

  async function expectClearStored(store: RecordingStore, recording: Recording): Promise<void> {
    const clear = await clearFmp4();
    expect(recording).toMatchObject({ status: 'complete', segmentCount: 3, gapCount: 0, kind: 'video' });
    expect(recording.codecs).toEqual([expect.stringMatching(/^avc1\./), expect.stringMatching(/^mp4a\.40/)]);
    const inits = await store.listInitSections(recording.id);
    expect(inits).toHaveLength(1);
    expect(new Uint8Array(await inits[0]!.data.arrayBuffer())).toEqual(clear.init);
    const segments = await store.listSegments(recording.id);
    expect(await Promise.all(segments.map(async (s) => new Uint8Array(await s.data.arrayBuffer())))).toEqual(clear.fragments);
  }

  it('decrypts an init section whose EXT-X-KEY comes before its EXT-X-MAP, and the fragments, storing the clear bytes', async () => {
    const store = await stores.open();
    const { recording, problems } = await recordVod(store, `${formats}/vod/fmp4-aes/index.m3u8`);
    expect(problems).toEqual([]);
    await expectClearStored(store, recording);
  });

  it('keeps a clear init section (EXT-X-MAP before EXT-X-KEY) as it is and decrypts the fragments', async () => {
    const store = await stores.open();
    const { recording, problems } = await recordVod(store, `${formats}/vod/fmp4-aes/index-clear-init.m3u8`);
    expect(problems).toEqual([]);
    await expectClearStored(store, recording);
  });

  it('an encrypted init section with no IV makes key gaps with a clear problem, storing nothing', async () => {
    const store = await stores.open();
    const { recording, problems } = await recordVod(store, `${formats}/vod/fmp4-aes/index-no-iv.m3u8`);
    expect(recording).toMatchObject({ segmentCount: 0, gapCount: 3 });
    expect(recording.gaps.map((gap) => gap.reason)).toEqual(['key-unavailable', 'key-unavailable', 'key-unavailable']);
    expect(problems[0]?.message).toContain('enc-init.mp4 is encrypted, but its EXT-X-KEY gives no IV (RFC 8216 section 4.3.2.5 requires one)');
    expect(await store.listInitSections(recording.id)).toEqual([]);
  });
});

describe('HlsRecorder on byte-range segments (EXT-X-BYTERANGE, RFC 8216 4.3.2.2)', () => {
  async function expectRangesStored(store: RecordingStore, recording: Recording): Promise<void> {
    const whole = await bytesOf(`${formats}/vod/byterange/single.ts`);
    const segments = await store.listSegments(recording.id);
    expect(segments).toHaveLength(3);
    let offset = 0;
    for (const segment of segments) {
      const data = new Uint8Array(await segment.data.arrayBuffer());
      expect(data).toEqual(whole.subarray(offset, offset + data.byteLength));
      expect(data[0]).toBe(0x47);
      offset += data.byteLength;
    }
    // Each segment holds its own range only: together they are the file once, not three times.
    expect(recording.bytes).toBe(whole.byteLength);
  }

  it('fetches each sub-range with a Range request (206) and stores exactly those bytes', async () => {
    const store = await stores.open();
    const { recording, problems } = await recordVod(store, `${formats}/vod/byterange/index.m3u8`);
    expect(problems).toEqual([]);
    expect(recording).toMatchObject({ status: 'complete', kind: 'video' });
    await expectRangesStored(store, recording);
  });

  it('from a server that ignores Range (200 with the whole file), keeps only each range, never the whole file', async () => {
    const store = await stores.open();
    const { recording, problems } = await recordVod(store, `${formats}/norange/vod/byterange/index.m3u8`);
    expect(problems).toEqual([]);
    await expectRangesStored(store, recording);
  });

  it('a range past the end of the file is a gap with a message naming the range; other segments are kept', async () => {
    const store = await stores.open();
    const text = new TextDecoder().decode(await bytesOf(`${formats}/vod/byterange/index.m3u8`));
    const broken = text.replace(/#EXT-X-BYTERANGE:(\d+)@(\d+)\s*\n(single\.ts)\s*\n#EXT-X-ENDLIST/, `#EXT-X-BYTERANGE:$1@99000000\n${formats}/norange/vod/byterange/single.ts\n#EXT-X-ENDLIST`);
    expect(broken).not.toBe(text);
    const absolute = broken.replaceAll(/^single\.ts$/gm, `${formats}/vod/byterange/single.ts`);
    const url = `${inject('faultServerUrl')}/file?body=${encodeURIComponent(absolute)}&type=application%2Fvnd.apple.mpegurl`;
    const { recording, problems } = await recordVod(store, url);
    expect(recording).toMatchObject({ segmentCount: 2, gapCount: 1 });
    expect(problems.map((p) => p.message).join('\n')).toMatch(/did not give bytes 99000000-/);
  });
});

describe('HlsRecorder on packed audio (RFC 8216 3.4)', () => {
  it.each([
    ['adts', /^mp4a\.40\.2$/, 'adts'],
    ['adts-id3', /^mp4a\.40\.2$/, 'adts'],
    ['mp3', /^mp3$/, 'mp3'],
  ] as const)('%s: stores every segment as served and reads the codec', async (variant, codec, format) => {
    const store = await stores.open();
    const { recording, problems } = await recordVod(store, `${formats}/vod/${variant}/index.m3u8`);
    expect(problems).toEqual([]);
    expect(recording).toMatchObject({ status: 'complete', kind: 'audio', gapCount: 0 });
    expect(recording.codecs).toEqual([expect.stringMatching(codec)]);
    const segments = await store.listSegments(recording.id);
    const served = await Promise.all((await segmentUrls(`${formats}/vod/${variant}/index.m3u8`)).map(bytesOf));
    expect(segments).toHaveLength(served.length);
    const stored = await Promise.all(segments.map(async (s) => new Uint8Array(await s.data.arrayBuffer())));
    expect(stored).toEqual(served);
    expect(detectSegmentFormat(stored[0]!)).toBe(format);
    expect(segments.every((s) => s.initSectionId === undefined)).toBe(true);
  });

  it('adts-id3: the ID3 PRIV transportStreamTimestamp of each stored segment is the stream\'s PTS', async () => {
    const store = await stores.open();
    const { recording } = await recordVod(store, `${formats}/vod/adts-id3/index.m3u8`);
    const segments = await store.listSegments(recording.id);
    let startSec = 0;
    for (const segment of segments) {
      const pts90k = readPackedAudioPts90k(new Uint8Array(await segment.data.arrayBuffer()));
      expect(pts90k).toBe(900_000 + Math.round(startSec * 90_000));
      startSec += segment.durationSec;
    }
  });
});

describe('HlsRecorder on a live MPEG-TS stream from GStreamer hlssink2', () => {
  it('records new segments as they appear, with H.264 and AAC', async () => {
    const store = await stores.open();
    const recorder = new HlsRecorder(store, quickCaptureConfig({ liveEdgeSegmentCount: 1 }), env);
    await recorder.start({ url: `${formats}/live/gst-ts/live.m3u8` });
    await waitFor(() => ((recorder.current?.segmentCount ?? 0) >= 2 ? true : undefined), { timeoutMs: 20_000, description: 'two live segments' });
    const recording = (await recorder.stop())!;
    expect(recording.status).toBe('complete');
    expect(recording.codecs).toEqual([expect.stringMatching(/^avc1\./), expect.stringMatching(/^mp4a\.40/)]);
    const segments = await store.listSegments(recording.id);
    expect(segments.map((s) => s.msn)).toEqual(segments.map((_, i) => segments[0]!.msn + i));
  }, 40_000);
});
