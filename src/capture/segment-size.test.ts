import { afterEach, describe, expect, inject, it } from 'vitest';
import { bytesUrl, fileUrl, HLS_TYPE, mediaPlaylistText, StoreScope, storedText, quickCaptureConfig } from '../../tests/helpers/recorder-harness.ts';
import { ResponseTooLargeError } from './errors.ts';
import { HlsRecorder } from './hls-recorder.ts';
import { fetchBytes } from './http.ts';

/** The size caps of segments and playlists (`capture.maxSegmentBytes`, `maxPlaylistBytes`) against endless and oversized bodies. */

const base = inject('faultServerUrl');
const MiB = 1024 * 1024;
const stores = new StoreScope();
afterEach(() => stores.cleanUp());

describe('fetchBytes with maxBytes', () => {
  it('cancels an endless body once it passes the limit', async () => {
    const error = await fetchBytes(`${base}/huge`, { timeoutMs: 20_000, maxBytes: 2 * MiB }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error).toMatchObject({ code: 'too-large', transient: false });
  });

  it('refuses by Content-Length before reading, and accepts a body exactly at the limit', async () => {
    const sixteen = bytesUrl(base, new Uint8Array(16).fill(1));
    await expect(fetchBytes(sixteen, { timeoutMs: 5000, maxBytes: 15 })).rejects.toBeInstanceOf(ResponseTooLargeError);
    const fetched = await fetchBytes(sixteen, { timeoutMs: 5000, maxBytes: 16 });
    expect(fetched.body.size).toBe(16);
  });

  it('with readDirect (Response.blob()), refuses by Content-Length and by the bytes of an endless body alike', async () => {
    const sixteen = bytesUrl(base, new Uint8Array(16).fill(2));
    await expect(fetchBytes(sixteen, { timeoutMs: 5000, maxBytes: 15, readDirect: true })).rejects.toBeInstanceOf(ResponseTooLargeError);
    const fetched = await fetchBytes(sixteen, { timeoutMs: 5000, maxBytes: 16, readDirect: true });
    expect(new Uint8Array(await fetched.body.arrayBuffer())).toEqual(new Uint8Array(16).fill(2));
    await expect(fetchBytes(`${base}/huge`, { timeoutMs: 20_000, maxBytes: 2 * MiB, readDirect: true })).rejects.toBeInstanceOf(ResponseTooLargeError);
  });
});

describe('HlsRecorder with a segment that never ends', () => {
  it('records it as a too-large gap, without retrying, and stores the segments around it', async () => {
    const config = quickCaptureConfig({ maxSegmentBytes: 4 * MiB, segmentTimeoutMs: 20_000 });
    const uris = [fileUrl(base, 'before'), `${base}/huge`, fileUrl(base, 'after')];
    const store = await stores.open();
    const recorder = new HlsRecorder(store, config);
    let retries = 0;
    recorder.on('retry', () => (retries += 1));
    await recorder.start({ url: fileUrl(base, mediaPlaylistText(uris.map((uri) => ({ uri }))), HLS_TYPE) });
    const done = await recorder.done;

    expect(done).toMatchObject({ status: 'complete', segmentCount: 2, gapCount: 1 });
    expect(done.gaps).toMatchObject([{ fromMsn: 1, count: 1, reason: 'too-large' }]);
    expect(await storedText(store, done)).toEqual([
      [0, 'before'],
      [2, 'after'],
    ]);
    expect(retries).toBe(0);
  });
});

describe('HlsRecorder with a playlist past maxPlaylistBytes', () => {
  it('refuses an endless playlist at start, saying so, and stores nothing', async () => {
    const store = await stores.open();
    const recorder = new HlsRecorder(store, quickCaptureConfig({ maxPlaylistBytes: 2 * MiB, playlistTimeoutMs: 20_000 }));
    const error = await recorder.start({ url: `${base}/huge` }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as Error).message).toBe(`${base}/huge is larger than the 2 MiB allowed for a playlist`);
    expect(await store.list()).toEqual([]);
  });

  it('ends a live recording whose playlist grows past the limit as interrupted, with the reason, keeping what it stored', async () => {
    const store = await stores.open();
    const small = mediaPlaylistText([{ uri: fileUrl(base, 'kept') }], { endList: false });
    // The same live window with a 4 KiB comment (RFC 8216 section 4.1: lines starting # that are not tags).
    const big = small.replace('#EXTINF', `#${'x'.repeat(4096)}\n#EXTINF`);
    const url = `${base}/switch/${crypto.randomUUID()}?after=1&type=${encodeURIComponent(HLS_TYPE)}&body=${encodeURIComponent(small)}&then=${encodeURIComponent(big)}`;
    const recorder = new HlsRecorder(store, quickCaptureConfig({ maxPlaylistBytes: 2048 }));
    await recorder.start({ url });
    const done = await recorder.done;

    expect(done).toMatchObject({ status: 'interrupted', segmentCount: 1 });
    expect(done.lastError).toContain('is larger than the 2 KiB allowed for a playlist');
    expect(await storedText(store, done)).toEqual([[0, 'kept']]);
  });
});
