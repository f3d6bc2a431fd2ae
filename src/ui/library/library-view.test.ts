import { afterEach, beforeEach, expect, it } from 'vitest';
import { waitFor } from '../../../tests/helpers/poll.ts';
import { RecordingStore } from '../../storage/recording-store.ts';
import { newRecording, openTestStore, type TestStore } from '../../storage/test-fixtures.ts';
import './library-view.ts';
import type { LibraryView } from './library-view.ts';

/**
 * The Library on a real store: it follows every change, made in this tab or another, reading
 * again only the recordings a change names, and shows what a fresh read of the store shows.
 */

let t: TestStore;
let view: LibraryView;
beforeEach(async () => {
  t = await openTestStore();
  view = document.createElement('td-library');
  view.store = t.store;
});
afterEach(async () => {
  view.remove();
  await t.dispose();
});

/** What the list shows: each item's title and duration, top to bottom. */
function shown(): string[] {
  return [...view.shadowRoot!.querySelectorAll('td-recording-item')].map((item) => {
    const duration = item.shadowRoot!.querySelector('[data-duration-sec]')!.getAttribute('data-duration-sec');
    return `${item.recording.title} ${duration}s`;
  });
}

/** What a fresh read of the store gives, in the same words. */
async function stored(): Promise<string[]> {
  return (await t.store.list()).filter((recording) => !recording.parentRecordingId).map((recording) => `${recording.title} ${recording.durationSec}s`);
}

async function shows(expected: string[]): Promise<void> {
  await waitFor(async () => {
    await view.updateComplete;
    await Promise.all([...view.shadowRoot!.querySelectorAll('td-recording-item')].map((item) => item.updateComplete));
    return JSON.stringify(shown()) === JSON.stringify(expected) ? true : undefined;
  }, { timeoutMs: 5000, description: `the library to show ${JSON.stringify(expected)} (it shows ${JSON.stringify(view.shadowRoot ? shown() : [])})` });
  expect(shown()).toEqual(await stored());
}

const append = (store: RecordingStore, recordingId: string, msn: number) =>
  store.appendSegment({ recordingId, msn, durationSec: 2, discontinuity: false, programDateTimeMs: null, data: new Blob([`segment ${msn}`]) });

it('follows segments stored, recordings added and deleted, in this tab and another, newest first', async () => {
  const morning = await t.store.create(newRecording({ title: 'Morning', startedAtMs: 1000 }));
  const evening = await t.store.create(newRecording({ title: 'Evening', startedAtMs: 3000 }));
  document.body.append(view);
  await shows(['Evening 0s', 'Morning 0s']);

  await append(t.store, morning.id, 0);
  await append(t.store, morning.id, 1);
  await shows(['Evening 0s', 'Morning 4s']);

  // One started between the two, and one started at the same time as another (listed by id).
  const noon = await t.store.create(newRecording({ title: 'Noon', startedAtMs: 2000 }));
  const twin = await t.store.create(newRecording({ title: 'Twin', startedAtMs: 3000 }));
  await shows(evening.id > twin.id ? ['Evening 0s', 'Twin 0s', 'Noon 0s', 'Morning 4s'] : ['Twin 0s', 'Evening 0s', 'Noon 0s', 'Morning 4s']);

  await t.store.delete(evening.id);
  await shows(['Twin 0s', 'Noon 0s', 'Morning 4s']);

  // Another tab stores a segment and renames a recording.
  const otherTab = await RecordingStore.open(t.dbName);
  try {
    await append(otherTab, noon.id, 0);
    await otherTab.rename(twin.id, 'Twin renamed');
    await shows(['Twin renamed 0s', 'Noon 2s', 'Morning 4s']);
  } finally {
    otherTab.close();
  }
});

it('an alternate rendition stored alongside is noted on its recording, not listed', async () => {
  const main = await t.store.create(newRecording({ title: 'Show', startedAtMs: 1000 }));
  document.body.append(view);
  await shows(['Show 0s']);
  await t.store.create(newRecording({ title: 'Show (audio)', startedAtMs: 1000, parentRecordingId: main.id }));
  await shows(['Show 0s']);
  const item = view.shadowRoot!.querySelector('td-recording-item')!;
  await waitFor(() => (item.renditions.length === 1 ? true : undefined), { timeoutMs: 5000, description: 'the rendition to be noted' });
});
