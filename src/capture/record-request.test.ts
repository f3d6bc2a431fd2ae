import { afterEach, describe, expect, inject, it } from 'vitest';
import { fileUrl, HLS_TYPE, mediaPlaylistText, StoreScope, quickCaptureConfig } from '../../tests/helpers/recorder-harness.ts';
import { HlsRecorder } from './hls-recorder.ts';

const base = inject('faultServerUrl');
const env = { now: () => Date.now(), random: () => 0 };
const stores = new StoreScope();
afterEach(() => stores.cleanUp());

describe('RecordRequest checks at start (nothing is stored when they fail)', () => {
  it('refuses a time range on a live stream, and a range past the end of a VOD', async () => {
    const store = await stores.open();
    const entries = Array.from({ length: 3 }, (_, i) => ({ uri: fileUrl(base, `s${i}`) }));
    const liveUrl = fileUrl(base, mediaPlaylistText(entries, { endList: false }), HLS_TYPE);
    await expect(new HlsRecorder(store, quickCaptureConfig(), env).start({ url: liveUrl, timeRange: { startSec: 0, endSec: 4 } })).rejects.toThrow(
      'A time range can only be recorded from a VOD (a playlist with EXT-X-ENDLIST); this stream is live.',
    );
    const vodUrl = fileUrl(base, mediaPlaylistText(entries), HLS_TYPE);
    await expect(new HlsRecorder(store, quickCaptureConfig(), env).start({ url: vodUrl, timeRange: { startSec: 60, endSec: null } })).rejects.toThrow(
      'The VOD lasts 6.0 s: nothing of it starts at 60 s.',
    );
    expect(await store.list()).toEqual([]);
  });

  it('records a URL template as a VOD, and refuses a bad one before storing anything', async () => {
    const store = await stores.open();
    const template = { url: `${base}/file?body=segment(*)`, padWidth: 2, firstNumber: 8, count: 3, segmentDurationSec: 4, totalDurationSec: null, stopAtFirstMissing: false };
    const recorder = new HlsRecorder(store, quickCaptureConfig(), env);
    await recorder.start({ url: template.url, urlTemplate: template });
    const done = await recorder.done;
    expect(done).toMatchObject({ status: 'complete', segmentCount: 3, durationSec: 12, sourceUrl: template.url, urlTemplate: template });
    const texts = await Promise.all((await store.listSegments(done.id)).map((s) => s.data.text()));
    expect(texts).toEqual(['segment08', 'segment09', 'segment10']);
    await expect(new HlsRecorder(store, quickCaptureConfig(), env).start({ url: 'x', urlTemplate: { ...template, url: `${base}/file?body=x` } })).rejects.toThrow(/exactly once/);
    expect(await store.list()).toHaveLength(1);
  });

  it('"stop at the first 404" ends a URL template at its first missing number, dropping later numbers fetched at the same time', async () => {
    const store = await stores.open();
    // 0..4 exist, 5 answers 404 only after 300 ms, 6..12 exist, and 13 on are missing: the six
    // fetches at once have stored some numbers past 5 by the time its 404 comes.
    const url = `${base}/numbered/(*)?missing=5&missingDelayMs=300&last=12`;
    const template = { url, padWidth: 0, firstNumber: 0, count: null, segmentDurationSec: 2, totalDurationSec: null, stopAtFirstMissing: true };
    const recorder = new HlsRecorder(store, quickCaptureConfig({ vodConcurrency: 6 }), env);
    await recorder.start({ url, urlTemplate: template });
    const done = await recorder.done;

    expect(done).toMatchObject({ status: 'complete', segmentCount: 5, durationSec: 10, gaps: [], gapCount: 0 });
    const texts = await Promise.all((await store.listSegments(done.id)).map((s) => s.data.text()));
    expect(texts).toEqual(['segment 0', 'segment 1', 'segment 2', 'segment 3', 'segment 4']);
    expect(await store.get(done.id)).toEqual(done);
  });
});
