import { afterEach, describe, expect, inject, it } from 'vitest';
import { bytesUrl, fileUrl, HLS_TYPE, mediaPlaylistText, StoreScope, storedText, quickCaptureConfig } from '../../tests/helpers/recorder-harness.ts';
import { segmentIv } from './aes-128.ts';
import { HlsRecorder, type HlsRecorderEvents } from './hls-recorder.ts';
import { KeyUnavailableError } from './key-cache.ts';

/** AES-128 segments (RFC 8216 sections 4.3.2.4 and 5.2) recorded from the fault server. */

const base = inject('faultServerUrl');
const config = quickCaptureConfig();
const env = { now: () => Date.now(), random: () => 0 };
const stores = new StoreScope();
afterEach(() => stores.cleanUp());

const ascii = (text: string) => new TextEncoder().encode(text);

/** `text` encrypted as an HLS AES-128 segment: CBC, PKCS#7, under `key` (16 bytes) and `iv`. */
async function encrypt(text: string, key: Uint8Array<ArrayBuffer>, iv: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey('raw', key, 'AES-CBC', false, ['encrypt']);
  return new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-CBC', iv }, cryptoKey, ascii(text)));
}

/**
 * A fresh 13-character id: `/flaky/<id>` then answers `ok <id>`, exactly 16 bytes, which makes
 * it a usable AES-128 key whose requests `/count/<id>` counts.
 */
function keyId(): string {
  return crypto.randomUUID().replaceAll('-', '').slice(0, 13);
}

async function requestsTo(key: string): Promise<number> {
  return ((await (await fetch(`${base}/count/${key}`)).json()) as { requests: number }).requests;
}

describe('HlsRecorder on AES-128 encrypted streams', () => {
  it('decrypts with the implicit IV and an explicit IV, follows key rotation and METHOD=NONE, and fetches each key once', async () => {
    const id1 = keyId();
    const key1 = ascii(`ok ${id1}`);
    const key2 = crypto.getRandomValues(new Uint8Array(16));
    const explicitIv = crypto.getRandomValues(new Uint8Array(16));
    const ivHex = [...explicitIv].map((b) => b.toString(16).padStart(2, '0')).join('');
    const seg = async (text: string, key: Uint8Array<ArrayBuffer>, iv: Uint8Array<ArrayBuffer>) => bytesUrl(base, await encrypt(text, key, iv));
    const text = mediaPlaylistText(
      [
        { uri: fileUrl(base, 'clear 5') },
        // The first key fails once: it is retried like a segment, then reused from the cache.
        { uri: await seg('secret 6', key1, segmentIv(null, 6)), tags: [`#EXT-X-KEY:METHOD=AES-128,URI="${base}/flaky/${id1}?failures=1"`] },
        { uri: await seg('secret 7', key1, segmentIv(null, 7)) },
        { uri: await seg('rotated 8', key2, explicitIv), tags: [`#EXT-X-KEY:METHOD=AES-128,URI="${bytesUrl(base, key2)}",IV=0x${ivHex}`] },
        { uri: fileUrl(base, 'clear again 9'), tags: ['#EXT-X-KEY:METHOD=NONE'] },
      ],
      { mediaSequence: 5 },
    );
    const store = await stores.open();
    const recorder = new HlsRecorder(store, config, env);
    const retries: HlsRecorderEvents['retry'][] = [];
    recorder.on('retry', (retry) => retries.push(retry));
    await recorder.start({ url: fileUrl(base, text, HLS_TYPE) });
    const done = await recorder.done;

    expect(done).toMatchObject({ status: 'complete', segmentCount: 5, gapCount: 0 });
    expect(await storedText(store, done)).toEqual([
      [5, 'clear 5'],
      [6, 'secret 6'],
      [7, 'secret 7'],
      [8, 'rotated 8'],
      [9, 'clear again 9'],
    ]);
    expect(await requestsTo(id1)).toBe(2);
    expect(retries.some((retry) => retry.url.includes(`/flaky/${id1}`))).toBe(true);
  });

  it('reads an IV written with fewer than 32 hex digits as the same integer (IV=0x1 is 1, IV=0x123 is 0x0123)', async () => {
    const key = crypto.getRandomValues(new Uint8Array(16));
    const keyTag = (iv: string) => `#EXT-X-KEY:METHOD=AES-128,URI="${bytesUrl(base, key)}",IV=${iv}`;
    const text = mediaPlaylistText([
      { uri: bytesUrl(base, await encrypt('segment zero, whose first block the IV decides', key, segmentIv(Uint8Array.of(0x01), 0))), tags: [keyTag('0x1')] },
      { uri: bytesUrl(base, await encrypt('segment one, whose first block the IV decides', key, segmentIv(Uint8Array.of(0x01, 0x23), 1))), tags: [keyTag('0X123')] },
    ]);
    const store = await stores.open();
    const recorder = new HlsRecorder(store, config, env);
    await recorder.start({ url: fileUrl(base, text, HLS_TYPE) });
    const done = await recorder.done;

    expect(done).toMatchObject({ status: 'complete', segmentCount: 2, gapCount: 0 });
    expect(await storedText(store, done)).toEqual([
      [0, 'segment zero, whose first block the IV decides'],
      [1, 'segment one, whose first block the IV decides'],
    ]);
  });

  it('turns the segments of a key that cannot be fetched, or is not 16 bytes, into key-unavailable gaps', async () => {
    const key1 = crypto.getRandomValues(new Uint8Array(16));
    const text = mediaPlaylistText([
      { uri: bytesUrl(base, await encrypt('one', key1, segmentIv(null, 0))), tags: [`#EXT-X-KEY:METHOD=AES-128,URI="${bytesUrl(base, key1)}"`] },
      { uri: `${base}/file?body=never-fetched-1`, tags: [`#EXT-X-KEY:METHOD=AES-128,URI="${base}/status/404"`] },
      { uri: `${base}/file?body=never-fetched-2` },
      { uri: `${base}/file?body=never-fetched-3`, tags: [`#EXT-X-KEY:METHOD=AES-128,URI="${fileUrl(base, 'fifteen bytes!!')}"`] },
      { uri: bytesUrl(base, await encrypt('four', key1, segmentIv(null, 4))), tags: [`#EXT-X-KEY:METHOD=AES-128,URI="${bytesUrl(base, key1)}"`] },
    ]);
    const store = await stores.open();
    const recorder = new HlsRecorder(store, config, env);
    const problems: HlsRecorderEvents['problem'][] = [];
    recorder.on('problem', (problem) => problems.push(problem));
    await recorder.start({ url: fileUrl(base, text, HLS_TYPE) });
    const done = await recorder.done;

    expect(done).toMatchObject({ status: 'complete', segmentCount: 2, gapCount: 3 });
    expect(await storedText(store, done)).toEqual([
      [0, 'one'],
      [4, 'four'],
    ]);
    expect(done.gaps.map((gap) => [gap.fromMsn, gap.count, gap.reason]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
      [1, 1, 'key-unavailable'],
      [2, 1, 'key-unavailable'],
      [3, 1, 'key-unavailable'],
    ]);
    expect(problems.some((problem) => problem.code === 'key-unavailable' && problem.message.includes('HTTP 404'))).toBe(true);
    expect(problems.some((problem) => problem.message.includes('15 bytes, not 16'))).toBe(true);
  });

  it('rejects start() when the first segment\'s key cannot be fetched, and stores nothing', async () => {
    const text = mediaPlaylistText([{ uri: `${base}/file?body=x`, tags: [`#EXT-X-KEY:METHOD=AES-128,URI="${base}/status/403"`] }], { endList: false });
    const store = await stores.open();
    const recorder = new HlsRecorder(store, config, env);
    const error = await recorder.start({ url: fileUrl(base, text, HLS_TYPE) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KeyUnavailableError);
    expect((error as Error).message).toContain('HTTP 403');
    expect(await store.list()).toEqual([]);
  });

  it('refuses SAMPLE-AES with a PlaylistError saying nothing was recorded', async () => {
    const text = mediaPlaylistText([{ uri: `${base}/file?body=x`, tags: ['#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://x"'] }]);
    const store = await stores.open();
    const recorder = new HlsRecorder(store, config, env);
    await expect(recorder.start({ url: fileUrl(base, text, HLS_TYPE) })).rejects.toThrow(/METHOD=SAMPLE-AES.*nothing was recorded/);
    expect(await store.list()).toEqual([]);
  });
});
