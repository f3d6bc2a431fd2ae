import { afterEach, describe, expect, inject, it } from 'vitest';
import { StoreScope } from '../../tests/helpers/recorder-harness.ts';
import { fetchRange } from './byte-range.ts';
import { InitSectionTracker, initSectionKey } from './init-section.ts';
import type { InitSectionRef } from './playlist.ts';

const formats = inject('formatStreamsUrl');
const stores = new StoreScope();
afterEach(() => stores.cleanUp());

const init = (uri: string): InitSectionRef => ({ uri: `${formats}/${uri}`, byteRange: null });

/** A fetcher over real HTTP that counts its requests. */
function countingFetcher() {
  const requested: string[] = [];
  const fetchInit = async (ref: InitSectionRef) => {
    requested.push(initSectionKey(ref));
    return (await fetchRange(ref.uri, ref.byteRange, { timeoutMs: 10_000 })).body;
  };
  return { requested, fetchInit };
}

/**
 * A tracker for a new recording whose fetcher serves, at any URI, an origin's init.mp4 before
 * its encoder restarted (the first request), then after it: the bytes of two real init sections.
 */
async function restartingOrigin(): Promise<{ tracker: InitSectionTracker; readonly calls: number }> {
  const store = await stores.open();
  const recording = await store.create({ title: 't', sourceName: 's', sourceUrl: 'u', mediaPlaylistUrl: 'u', startedAtMs: 0 });
  const served = ['vod/fmp4/init.mp4', 'vod/fmp4-small/init.mp4'];
  let calls = 0;
  const tracker = new InitSectionTracker(store, recording.id, async () => (await fetchRange(`${formats}/${served[Math.min(calls++, 1)]}`, null, { timeoutMs: 10_000 })).body);
  return {
    tracker,
    get calls() {
      return calls;
    },
  };
}

describe('InitSectionTracker', () => {
  it('fetches an init section once for segments asking at once, gives ids in order of new bytes, and stores each once', async () => {
    const store = await stores.open();
    const recording = await store.create({ title: 't', sourceName: 's', sourceUrl: 'u', mediaPlaylistUrl: 'u', startedAtMs: 0 });
    const { requested, fetchInit } = countingFetcher();
    const tracker = new InitSectionTracker(store, recording.id, fetchInit);

    const first = await Promise.all(Array.from({ length: 5 }, () => tracker.idFor(init('vod/fmp4/init.mp4'))));
    expect(first).toEqual([0, 0, 0, 0, 0]);
    expect(requested).toHaveLength(1);
    expect(await tracker.idFor(init('vod/fmp4-small/init.mp4'))).toBe(1);
    // The same bytes at another URI: fetched (to compare), not stored again.
    expect(await tracker.idFor(init('vod/fmp4/init-copy.mp4'))).toBe(0);
    expect(await tracker.idFor(null)).toBeUndefined();
    expect(requested).toHaveLength(3);
    expect((await store.listInitSections(recording.id)).map((i) => [i.initSectionId, i.data.size])).toEqual([
      [0, (await (await fetch(`${formats}/vod/fmp4/init.mp4`)).arrayBuffer()).byteLength],
      [1, (await (await fetch(`${formats}/vod/fmp4-small/init.mp4`)).arrayBuffer()).byteLength],
    ]);
  });

  it('a byte range of a resource is its own init section location', () => {
    expect(initSectionKey({ uri: 'https://h/x.mp4', byteRange: { offsetBytes: 0, lengthBytes: 700 } })).not.toBe(initSectionKey({ uri: 'https://h/x.mp4', byteRange: null }));
  });

  it('a failed fetch rejects for the segments asking, and the next segment tries again', async () => {
    const store = await stores.open();
    const recording = await store.create({ title: 't', sourceName: 's', sourceUrl: 'u', mediaPlaylistUrl: 'u', startedAtMs: 0 });
    const { requested, fetchInit } = countingFetcher();
    const tracker = new InitSectionTracker(store, recording.id, fetchInit);
    await expect(tracker.idFor(init('vod/fmp4/missing.mp4'))).rejects.toThrow();
    await expect(tracker.idFor(init('vod/fmp4/missing.mp4'))).rejects.toThrow();
    expect(requested).toHaveLength(2);
    expect(await store.listInitSections(recording.id)).toEqual([]);
  });

  it('after a discontinuity the same URI is fetched again, and new bytes there (an encoder restarted) get a new id', async () => {
    const origin = await restartingOrigin();
    const ref = init('live/init.mp4');
    expect(await origin.tracker.idFor(ref)).toBe(0);
    expect(await origin.tracker.idFor(ref)).toBe(0);
    expect(origin.calls).toBe(1);
    expect(await origin.tracker.idFor(ref, { discontinuity: true, discontinuitySequence: 1 })).toBe(1);
    expect(await origin.tracker.idFor(ref, { discontinuity: false, discontinuitySequence: 1 })).toBe(1);
    expect(origin.calls).toBe(2);
  });

  it('fetches the same URI again for a new discontinuity sequence whose EXT-X-DISCONTINUITY segment it never saw (slid out)', async () => {
    const origin = await restartingOrigin();
    const ref = init('live/init.mp4');
    expect(await origin.tracker.idFor(ref, { discontinuity: false, discontinuitySequence: 4 })).toBe(0);
    expect(await origin.tracker.idFor(ref, { discontinuity: false, discontinuitySequence: 4 })).toBe(0);
    expect(await origin.tracker.idFor(ref, { discontinuity: false, discontinuitySequence: 5 })).toBe(1);
    expect(await origin.tracker.idFor(ref, { discontinuity: false, discontinuitySequence: 5 })).toBe(1);
    expect(origin.calls).toBe(2);
  });

  it('a tracker for a recording that has init sections already (resumed) knows them and goes on from the next id', async () => {
    const store = await stores.open();
    const recording = await store.create({ title: 't', sourceName: 's', sourceUrl: 'u', mediaPlaylistUrl: 'u', startedAtMs: 0 });
    const before = new InitSectionTracker(store, recording.id, countingFetcher().fetchInit);
    expect(await before.idFor(init('vod/fmp4/init.mp4'))).toBe(0);
    const after = new InitSectionTracker(store, recording.id, countingFetcher().fetchInit);
    expect(await after.idFor(init('vod/fmp4-small/init.mp4'))).toBe(1);
    expect(await after.idFor(init('vod/fmp4/init-copy.mp4'))).toBe(0);
  });
});
