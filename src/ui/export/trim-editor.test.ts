import { afterEach, expect, test } from 'vitest';
import { waitFor } from '../../../tests/helpers/poll.ts';
import { RecordingStore } from '../../storage/recording-store.ts';
import { demoSegment, newRecording } from '../../storage/test-fixtures.ts';
import type { Recording } from '../../storage/types.ts';
import './trim-editor.ts';
import type { TrimEditor } from './trim-editor.ts';

const cleanUps: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanUp of cleanUps.splice(0).reverse()) await cleanUp();
});

test('in and out points are on the timeline the preview plays: a dropout inside counts, one after the last segment does not', { timeout: 30_000 }, async () => {
  // The editor reads from the app's own database, as in the app.
  const store = await RecordingStore.open();
  cleanUps.push(() => store.close());
  let recording: Recording = await store.create(newRecording({ title: 'With dropouts' }));
  cleanUps.push(() => store.delete(recording.id));
  for (const msn of [0, 1, 4, 5]) {
    ({ recording } = await store.appendSegment({ recordingId: recording.id, msn, durationSec: 2, discontinuity: false, programDateTimeMs: null, data: await demoSegment(msn) }));
  }
  await store.addGap(recording.id, { fromMsn: 2, count: 2, durationSec: 4, reason: 'not-found', detectedAtMs: 0 });
  recording = await store.addGap(recording.id, { fromMsn: 6, count: 4, durationSec: 8, reason: 'slid-out', detectedAtMs: 0 });

  const editor = document.createElement('td-trim-editor') as TrimEditor;
  editor.recording = recording;
  document.body.append(editor);
  cleanUps.push(() => editor.remove());
  // 8 s stored and the 4 s dropout between them: the out point starts at the end, 12 s.
  await waitFor(() => (editor.range.endSec === 12 ? true : undefined), { timeoutMs: 10_000, description: 'the out point at the timeline end' });

  const [inInput, outInput] = editor.shadowRoot!.querySelectorAll<HTMLInputElement>('input[type="number"]');
  const set = (input: HTMLInputElement, value: string) => {
    input.value = value;
    input.dispatchEvent(new Event('change'));
  };
  set(inInput!, '9');
  set(outInput!, '11');
  expect(editor.range).toEqual({ startSec: 9, endSec: 11, mode: 'keyframe' });
  // Past the end is held to the end.
  set(outInput!, '30');
  expect(editor.range.endSec).toBe(12);
});
