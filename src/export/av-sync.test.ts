import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { recordToEnd } from '../../tests/helpers/recorder-harness.ts';
import { openTestStore, type TestStore } from '../storage/test-fixtures.ts';
import type { Recording } from '../storage/types.ts';
import { exportRecording, type ExportOptions } from './exporter.ts';
import { beepOnsetsSec, brightFramesSec, decodedChannel } from './transcode/test-signals.ts';

/**
 * Audio stays on the picture in exports of recordings of either segment container: the
 * `av-sync` VODs (MPEG-TS, fMP4) made by ffmpeg flash one bright frame and beep at every whole
 * second for 6 s; each is recorded by the real recorder, exported through the export worker, and
 * every beep's onset measured against its flash in the decoded file.
 */

const smallerMp4: ExportOptions['transcode'] = { audio: { codec: 'aac', bitrateKbps: 128, loudnorm: false }, video: { crf: 30, maxHeight: null }, burnWallClock: false };

for (const variant of ['av-sync', 'av-sync-fmp4'] as const) {
  describe(`exports of the ${variant} VOD, recorded`, () => {
    let t: TestStore;
    let recording: Recording;
    beforeAll(async () => {
      t = await openTestStore();
      recording = await recordToEnd(t.store, `${inject('formatStreamsUrl')}/vod/${variant}/index.m3u8`);
    });
    afterAll(async () => {
      await t.dispose();
    });

    test.each([
      ['MP4', { format: 'mp4' }],
      ['MKV', { format: 'mkv' }],
      ['smaller MP4 (re-encoded)', { format: 'mp4', transcode: smallerMp4 }],
    ] as const)('%s: every beep within 5 ms of its flash', { timeout: 90_000 }, async (_name, options) => {
      const exported = await exportRecording(recording, { ...options, dbName: t.dbName });
      const bytes = new Uint8Array(await exported.file.arrayBuffer());
      const flashes = await brightFramesSec(bytes);
      const beeps = beepOnsetsSec(await decodedChannel(bytes));
      expect(flashes).toHaveLength(6);
      expect(beeps).toHaveLength(6);
      // An AAC frame is 21 ms, a picture 40 ms: audio a frame off, or placed from the wrong start, fails.
      for (const [i, flashSec] of flashes.entries()) expect(Math.abs(beeps[i]! - flashSec)).toBeLessThanOrEqual(0.005);
    });
  });
}
