import { afterEach, expect, inject, it } from 'vitest';
import { waitFor } from '../../tests/helpers/poll.ts';
import { fileUrl, HLS_TYPE, quickCaptureConfig } from '../../tests/helpers/recorder-harness.ts';
import { resolveConfig } from '../config.ts';
import { RecordingStore } from '../storage/recording-store.ts';
import { SettingsStore } from '../storage/settings-store.ts';
import { deleteTestDatabase } from '../storage/test-fixtures.ts';
import { CameraRecordingHost } from './camera-recording-host.ts';
import { CameraStore } from './camera-store.ts';

/**
 * Two "tabs" (two hosts with their own stores on one real database) and a live playlist on a
 * real HTTP server: one tab records, the other takes over when it goes, resuming the day's
 * recording (the outage gap itself is checked end to end with a moving ffmpeg stream in
 * tests/e2e/cameras-live.spec.ts); turning a camera off stops its recording.
 */

const base = inject('faultServerUrl');

function livePlaylistUrl(key: string): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:1', '#EXT-X-MEDIA-SEQUENCE:0'];
  for (let msn = 0; msn < 4; msn += 1) lines.push('#EXTINF:1.000,', fileUrl(base, `${key} segment ${msn}`));
  return fileUrl(base, `${lines.join('\n')}\n`, HLS_TYPE);
}

interface Tab {
  cameras: CameraStore;
  recordings: RecordingStore;
  settings: SettingsStore;
  host: CameraRecordingHost;
}

const tabs: Tab[] = [];
const dbNames: string[] = [];

async function openTab(dbName: string): Promise<Tab> {
  const [cameras, recordings, settings] = await Promise.all([CameraStore.open(dbName), RecordingStore.open(dbName), SettingsStore.open(dbName)]);
  const config = resolveConfig({ cameras: { restartDelayMs: 50 } });
  const host = new CameraRecordingHost(cameras, recordings, settings, { capture: quickCaptureConfig(), cameras: config.cameras, retentionLogMaxEntries: 10 });
  const tab = { cameras, recordings, settings, host };
  tabs.push(tab);
  return tab;
}

async function closeTab(tab: Tab): Promise<void> {
  await tab.host.stop();
  tab.cameras.close();
  tab.recordings.close();
  tab.settings.close();
  tabs.splice(tabs.indexOf(tab), 1);
}

afterEach(async () => {
  for (const tab of [...tabs]) await closeTab(tab);
  for (const name of dbNames.splice(0)) await deleteTestDatabase(name);
});

it('records in one tab only; the other takes over when it closes and resumes the same day’s recording', async () => {
  const dbName = `test-camera-host-${crypto.randomUUID()}`;
  dbNames.push(dbName);
  const first = await openTab(dbName);
  const camera = await first.cameras.add({ name: 'Porch', streamUrl: livePlaylistUrl(crypto.randomUUID()), recordMode: 'continuous' });
  first.host.start();
  const recordingId = await waitFor(() => (first.host.statusOf(camera.id)?.state === 'recording' ? first.host.statusOf(camera.id)!.recordingId : undefined), {
    timeoutMs: 10_000,
    description: 'the first tab to record',
  });
  expect(first.host.isLeader).toBe(true);

  const second = await openTab(dbName);
  second.host.start();
  await waitFor(async () => ((await second.recordings.get(recordingId!))?.segmentCount ? true : undefined), { timeoutMs: 10_000, description: 'a segment' });
  // The second tab waits in line: not the recorder, no capture of its own.
  expect(second.host.isLeader).toBe(false);
  expect(second.host.statusOf(camera.id)).toBeUndefined();

  await closeTab(first);
  const resumed = await waitFor(() => (second.host.statusOf(camera.id)?.state === 'recording' ? second.host.statusOf(camera.id) : undefined), {
    timeoutMs: 10_000,
    description: 'the second tab to take over',
  });
  expect(second.host.isLeader).toBe(true);
  expect(resumed.recordingId).toBe(recordingId);
  expect((await second.recordings.list()).filter((r) => r.cameraId === camera.id)).toHaveLength(1);

  // Turned off (from any tab): the capture stops and the recording ends.
  await second.cameras.update(camera.id, { recordMode: 'off' });
  await waitFor(async () => ((await second.recordings.get(recordingId!))?.status === 'complete' ? true : undefined), { timeoutMs: 10_000, description: 'the recording to end' });
  expect(second.host.statusOf(camera.id)).toBeUndefined();
});
