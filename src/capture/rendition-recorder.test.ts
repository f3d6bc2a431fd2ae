import { afterEach, describe, expect, inject, it } from 'vitest';
import { fileUrl, HLS_TYPE, mediaPlaylistText, StoreScope, quickCaptureConfig } from '../../tests/helpers/recorder-harness.ts';
import { waitFor } from '../../tests/helpers/poll.ts';
import { HlsRecorder, type RecorderProblem } from './hls-recorder.ts';
import { WEBVTT_CODEC } from './rendition-recorder.ts';

const base = inject('faultServerUrl');
const env = { now: () => Date.now(), random: () => 0 };
const stores = new StoreScope();
afterEach(() => stores.cleanUp());

function media(prefix: string, count: number, endList: boolean): string {
  return fileUrl(base, mediaPlaylistText(Array.from({ length: count }, (_, i) => ({ uri: fileUrl(base, `${prefix}${i}`) })), { endList }), HLS_TYPE);
}

function master(video: string, audio: string, subtitles: string): string {
  const text = [
    '#EXTM3U',
    `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="en",DEFAULT=YES,URI="${audio}"`,
    `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="Deutsch",LANGUAGE="de",URI="${subtitles}"`,
    '#EXT-X-STREAM-INF:BANDWIDTH=500000,AUDIO="aud",SUBTITLES="subs"',
    video,
    '',
  ].join('\n');
  return fileUrl(base, text, HLS_TYPE);
}

describe('alternate renditions recorded alongside (child recordings)', () => {
  it('a VOD: each rendition is a complete child recording; the main one ends after them', async () => {
    const store = await stores.open();
    const recorder = new HlsRecorder(store, quickCaptureConfig(), env);
    await recorder.start({ url: master(media('v', 3, true), media('a', 4, true), media('s', 3, true)), title: 'Show' });
    const main = await recorder.done;
    const children = (await store.listChildren(main.id)).sort((a, b) => a.title.localeCompare(b.title));
    expect(children.map((c) => [c.title, c.status, c.segmentCount, c.parentRecordingId])).toEqual([
      ['Show (audio: English)', 'complete', 4, main.id],
      ['Show (subtitles: Deutsch)', 'complete', 3, main.id],
    ]);
    expect(children[1]!.codecs).toEqual([WEBVTT_CODEC]);
    expect(main).toMatchObject({ status: 'complete', segmentCount: 3 });
    // Deleting the main recording takes its renditions with it.
    await store.delete(main.id);
    expect(await store.list()).toEqual([]);
  });

  it('a VOD time range: the renditions take the same part as the video, and every recording keeps the range', async () => {
    const store = await stores.open();
    const recorder = new HlsRecorder(store, quickCaptureConfig(), env);
    const timeRange = { startSec: 4, endSec: 8 };
    // 2-s segments: 4 s to 8 s is the third and fourth of each.
    await recorder.start({ url: master(media('v', 6, true), media('a', 6, true), media('s', 6, true)), title: 'Part', timeRange });
    const main = await recorder.done;
    const children = await store.listChildren(main.id);
    expect([main, ...children].map((r) => [r.segmentCount, r.timeRange])).toEqual([
      [2, timeRange],
      [2, timeRange],
      [2, timeRange],
    ]);
  });

  it('a live stream: renditions stop with the main recording; one that cannot load is a problem, not the end', async () => {
    const store = await stores.open();
    const recorder = new HlsRecorder(store, quickCaptureConfig(), env);
    const problems: RecorderProblem[] = [];
    recorder.on('problem', (p) => problems.push(p));
    const main = await recorder.start({ url: master(media('v', 4, false), media('a', 4, false), `${base}/status/404`), title: 'Live' });
    await waitFor(async () => ((await store.listChildren(main.id))[0]?.segmentCount === 3 ? true : undefined), { timeoutMs: 10_000, description: 'the audio rendition' });
    const done = (await recorder.stop())!;
    expect(done.status).toBe('complete');
    const children = await store.listChildren(main.id);
    expect(children.map((c) => [c.title, c.status])).toEqual([['Live (audio: English)', 'complete']]);
    expect(problems).toContainEqual(expect.objectContaining({ code: 'rendition-failed', fatal: false, message: expect.stringMatching(/^Deutsch is not recorded: .*404/) }));
  });

  it('Stop ends a recording whose video has ended while its audio rendition goes on: both complete', async () => {
    const store = await stores.open();
    const recorder = new HlsRecorder(store, quickCaptureConfig(), env);
    // The video is a VOD; the audio playlist is live and never ends.
    const main = await recorder.start({ url: master(media('v', 3, true), media('a', 4, false), media('s', 3, true)), title: 'Mixed' });
    await waitFor(async () => {
      const [recording, children] = await Promise.all([store.get(main.id), store.listChildren(main.id)]);
      return recording?.segmentCount === 3 && children.some((c) => c.title === 'Mixed (audio: English)' && c.segmentCount === 3) ? true : undefined;
    }, { timeoutMs: 10_000, description: 'the video whole and the audio at its live edge' });
    const done = (await recorder.stop())!;
    expect(done).toMatchObject({ status: 'complete', segmentCount: 3 });
    const audio = (await store.listChildren(main.id)).find((c) => c.title === 'Mixed (audio: English)')!;
    expect(audio.status).toBe('complete');
  });

  it('resuming the main recording resumes its renditions into the same child recordings', async () => {
    const store = await stores.open();
    const videoUrl = media('v', 4, true);
    const audioUrl = media('a', 4, true);
    const endedAtMs = Date.now() - 5000;
    const make = async (title: string, url: string, parentRecordingId?: string) => {
      const r = await store.create({ title, sourceName: 't', sourceUrl: url, mediaPlaylistUrl: url, startedAtMs: endedAtMs - 1000, ...(parentRecordingId && { parentRecordingId }) });
      await store.appendSegment({ recordingId: r.id, msn: 0, durationSec: 2, discontinuity: false, programDateTimeMs: null, data: new Blob(['kept']) }, endedAtMs);
      return store.update(r.id, { status: 'interrupted', endedAtMs });
    };
    const main = await make('Show', videoUrl);
    const child = await make('Show (audio: English)', audioUrl, main.id);

    const recorder = new HlsRecorder(store, quickCaptureConfig(), env);
    await recorder.start({ url: videoUrl, resumeRecordingId: main.id });
    const done = await recorder.done;
    expect(done).toMatchObject({ id: main.id, status: 'complete', segmentCount: 4, gapCount: 0 });
    const resumedChild = (await store.get(child.id))!;
    expect(resumedChild).toMatchObject({ status: 'complete', segmentCount: 4, gapCount: 0, parentRecordingId: main.id });
    expect(await Promise.all((await store.listSegments(child.id)).map((s) => s.data.text()))).toEqual(['kept', 'a1', 'a2', 'a3']);
    expect(await store.list()).toHaveLength(2);
  });
});
