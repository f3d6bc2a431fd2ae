import { afterEach, describe, expect, inject, it } from 'vitest';
import { fileUrl, HLS_TYPE, mediaPlaylistText, StoreScope } from '../../tests/helpers/recorder-harness.ts';
import { resolveConfig } from '../config.ts';
import { HlsRecorder, type HlsRecorderEvents } from './hls-recorder.ts';
import { StallDetector, stallMessage } from './stall-detector.ts';

const base = inject('faultServerUrl');
const stores = new StoreScope();
afterEach(() => stores.cleanUp());

describe('StallDetector (three target durations without a new segment)', () => {
  it('reports a stall once, at three target durations, and its end when segments flow again', () => {
    const detector = new StallDetector(0);
    expect(detector.observe(0, 6, 17_999)).toBeNull();
    expect(detector.observe(0, 6, 18_000)).toEqual({ stalled: true, sinceMs: 0, silentMs: 18_000 });
    expect(detector.isStalled).toBe(true);
    expect(detector.observe(0, 6, 30_000)).toBeNull();
    expect(detector.observe(2, 6, 31_000)).toEqual({ stalled: false });
    expect(detector.observe(0, 6, 40_000)).toBeNull();
    expect(detector.observe(0, 6, 49_000)).toEqual({ stalled: true, sinceMs: 31_000, silentMs: 18_000 });
  });

  it('words the stall in whole seconds', () => {
    expect(stallMessage(18_000)).toBe('No new segment for 18 s: the stream may have stalled.');
  });
});

describe('HlsRecorder on a live playlist that stops changing', () => {
  it('emits a non-fatal stall (event and problem "stalled") after about three target durations, and keeps recording', async () => {
    const uris = [0, 1, 2].map((i) => fileUrl(base, `segment ${i}`));
    const text = mediaPlaylistText(
      uris.map((uri) => ({ uri })),
      { targetDurationSec: 1, endList: false },
    );
    const store = await stores.open();
    const recorder = new HlsRecorder(store, resolveConfig().capture);
    const stalled = new Promise<HlsRecorderEvents['stall']>((resolve) => recorder.on('stall', resolve, { once: true }));
    // Other problems come too (these text segments have no codecs to read): take the stall's.
    const problem = new Promise<HlsRecorderEvents['problem']>((resolve) => recorder.on('problem', (p) => p.code === 'stalled' && resolve(p)));
    const startedAtMs = Date.now();
    await recorder.start({ url: fileUrl(base, text, HLS_TYPE) });

    const stall = await stalled;
    const waitedMs = Date.now() - startedAtMs;
    expect(stall).toMatchObject({ stalled: true, message: expect.stringMatching(/^No new segment for 3 s: the stream may have stalled\.$/) as unknown });
    expect(await problem).toMatchObject({ code: 'stalled', fatal: false });
    expect(waitedMs).toBeGreaterThanOrEqual(3000);
    expect(waitedMs).toBeLessThan(6000);
    const final = await recorder.stop();
    expect(final).toMatchObject({ status: 'complete', segmentCount: 3 });
  });
});
