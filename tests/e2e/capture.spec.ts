import { expect, test } from '@playwright/test';
import type { GapRecord } from '../../src/storage/types.ts';
import { makeAesVod, type AesVod } from '../helpers/aes-vod.ts';
import { probeMedia } from '../helpers/ffprobe.ts';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts';
import { startLiveStream, stopIfRunning, type LiveStream } from '../helpers/live-stream.ts';
import { AppPage, isContiguous, recordUntilEnd, setCaptureConfig, storedSegmentDigests } from './app-page.ts';

/**
 * The capture engine against real streams ffmpeg makes during the test (issue #3): AES-128
 * encrypted HLS (RFC 8216 section 4.3.2.4), recorded by the app, downloaded and probed; and a
 * live stream behind a fault-injecting proxy, recorded with honest gaps.
 */

let vod: AesVod | undefined;
let stream: LiveStream | undefined;
let proxy: FaultProxy | undefined;
test.afterEach(async () => {
  await vod?.close();
  await proxy?.close();
  await stopIfRunning(stream);
  vod = undefined;
  proxy = undefined;
  stream = undefined;
});

for (const explicitIv of [true, false]) {
  test(`records an AES-128 encrypted ffmpeg VOD (${explicitIv ? 'explicit IV' : 'IV from the media sequence number'}) and downloads a playable MP4`, async ({ page }) => {
    vod = await makeAesVod({ explicitIv });
    expect(vod.playlistText).toContain('#EXT-X-KEY:METHOD=AES-128,URI="key.bin"');
    expect(vod.playlistText.includes(',IV=0x')).toBe(explicitIv);
    expect(vod.playlistText).toContain('#EXT-X-ENDLIST');

    const app = new AppPage(page);
    await recordUntilEnd(app, vod.playlistUrl);
    const [stored] = await app.storedRecordings();
    expect(stored).toMatchObject({ status: 'complete', kind: 'video', gapCount: 0 });
    expect(isContiguous(stored!.msns)).toBe(true);
    const segmentCount = vod.playlistText.match(/^#EXTINF/gm)!.length;
    expect(stored!.segmentCount).toBe(segmentCount);
    await expect(app.live.locator('[data-vod-progress]')).toContainText(`${segmentCount} of ${segmentCount} segments`);
    expect(Math.abs(stored!.durationSec - vod.durationSec)).toBeLessThanOrEqual(0.5);
    // Byte for byte what node:crypto decrypts: a wrong IV would garble each segment's first block.
    expect((await storedSegmentDigests(app)).map(({ msn, sha256 }) => ({ msn, sha256 }))).toEqual(vod.clearSha256.map((sha256, msn) => ({ msn, sha256 })));

    const item = app.item(stored!.title);
    const { path } = await app.download(item, 'mp4');
    const probed = await probeMedia(path);
    expect(probed.streams.map((s) => `${s.codecType}:${s.codecName}`).sort()).toEqual(['audio:aac', 'video:h264']);
    expect(Math.abs(probed.durationSec - vod.durationSec)).toBeLessThanOrEqual(1);
  });
}

/** Media sequence number of an ffmpeg live segment path, `/seg00012.ts` → 12 (ffmpeg numbers files by sequence). */
function msnOf(path: string | undefined): number {
  const match = /seg(\d+)\.ts$/.exec(path ?? '');
  if (!match) throw new Error(`not an ffmpeg segment path: ${path}`);
  return Number(match[1]);
}

test('records a live stream through 503s, resets, a stalled body, a slow first byte and a playlist 404, with a gap for each segment that stayed unfetchable', async ({ page }) => {
  stream = await startLiveStream({ kind: 'video', listSize: 10 });
  proxy = await startFaultProxy(new URL(stream.playlistUrl).origin, [
    { target: 'playlist', ordinal: 3, fault: { kind: 'status', status: 404 } },
    { target: 'segment', ordinal: 2, fault: { kind: 'status', status: 503 } },
    { target: 'segment', ordinal: 3, fault: { kind: 'reset' } },
    { target: 'segment', ordinal: 4, fault: { kind: 'stall-body' } },
    { target: 'segment', ordinal: 5, fault: { kind: 'slow-first-byte', delayMs: 1500 } },
    { target: 'segment', ordinal: 6, times: 99, fault: { kind: 'status', status: 404 } },
    { target: 'segment', ordinal: 7, times: 99, fault: { kind: 'status', status: 503 } },
    { target: 'segment', ordinal: 8, times: 99, fault: { kind: 'reset' } },
  ]);
  const app = new AppPage(page);
  await page.goto('/');
  // A stalled body costs one segment timeout; keep it and the retries short for a 20 s test.
  const retry = { maxAttempts: 3, initialDelayMs: 200, maxDelayMs: 1000, backoffMultiplier: 2, jitterRatio: 0.5 };
  await setCaptureConfig(app, { segmentTimeoutMs: 3000, segmentRetry: retry });
  await app.live.getByLabel('Stream URL').fill(`${proxy.origin}${new URL(stream.playlistUrl).pathname}`);
  await app.live.getByRole('button', { name: 'Record' }).click();
  await expect(app.live.getByRole('status')).toContainText('Recording');
  await app.waitForElapsed(20);
  const fault = proxy;
  await expect.poll(() => fault.segmentPath(10) !== undefined, { timeout: 30_000 }).toBe(true);
  await app.stopRecording();

  const [stored] = await app.storedRecordings();
  expect(stored).toMatchObject({ status: 'complete', lastError: null });
  const { gaps } = stored as unknown as { gaps: GapRecord[] };
  expect(proxy.log.some((entry) => entry.target === 'playlist' && entry.fault?.kind === 'status')).toBe(true);
  expect(proxy.log.filter((entry) => entry.target === 'playlist').length).toBeGreaterThan(3);

  // Never twice, never out of order: one record per msn, stored in msn order.
  const segments = await storedSegmentDigests(app);
  const msns = segments.map((s) => s.msn);
  expect(stored!.segmentCount).toBe(msns.length);
  expect(stored!.bytes).toBe(stored!.storedBytes);
  for (let i = 1; i < segments.length; i++) {
    expect(segments[i]!.msn).toBeGreaterThan(segments[i - 1]!.msn);
    expect(segments[i]!.storedAtMs).toBeGreaterThanOrEqual(segments[i - 1]!.storedAtMs);
  }

  // Segments that stayed fetchable (after a retry or a wait) are all there...
  for (const ordinal of [1, 2, 3, 4, 5, 9, 10]) expect(msns).toContain(msnOf(proxy.segmentPath(ordinal)));
  // ...and each one that never was is a gap with its reason, and is not stored.
  const gapAt = (msn: number) => gaps.find((gap) => msn >= gap.fromMsn && msn < gap.fromMsn + gap.count);
  expect(gapAt(msnOf(proxy.segmentPath(6)))?.reason).toBe('not-found');
  expect(gapAt(msnOf(proxy.segmentPath(7)))?.reason).toBe('retries-exhausted');
  expect(gapAt(msnOf(proxy.segmentPath(8)))?.reason).toBe('retries-exhausted');
  expect(stored!.gapCount).toBe(3);
  for (const gap of gaps) {
    for (let msn = gap.fromMsn; msn < gap.fromMsn + gap.count; msn++) expect(msns).not.toContain(msn);
  }
  // Stored and missing together cover every msn from the first to the last: no silent hole.
  const covered = [...msns, ...gaps.flatMap((gap) => Array.from({ length: gap.count }, (_, i) => gap.fromMsn + i))].sort((a, b) => a - b);
  expect(isContiguous(covered)).toBe(true);
});
