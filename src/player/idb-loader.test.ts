import { parse, types } from 'hls-parser';
import type { LoaderCallbacks, LoaderConfiguration, LoaderContext } from 'hls.js';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { openTestStore, storeDemoRecording, type TestStore } from '../storage/test-fixtures.ts';
import { createIdbLoader, type IdbLoaderClass } from './idb-loader.ts';
import { recordingPlaylistUrl } from './recording-playlist.ts';

let t: TestStore;

beforeEach(async () => {
  t = await openTestStore();
});

afterEach(async () => {
  await t.dispose();
});

/** Loads a recording's playlist through `Loader` the way hls.js does, and parses it. */
function loadPlaylist(Loader: IdbLoaderClass, recordingId: string): Promise<types.MediaPlaylist> {
  const context = { url: recordingPlaylistUrl(recordingId), responseType: 'text' } as LoaderContext;
  return new Promise((resolve, reject) => {
    const callbacks = {
      onSuccess: (response) => resolve(parse(response.data as string) as types.MediaPlaylist),
      onError: (error) => reject(new Error(`${error.code}: ${error.text}`)),
      onTimeout: () => reject(new Error('timeout')),
    } as LoaderCallbacks<LoaderContext>;
    new Loader({}).load(context, {} as LoaderConfiguration, callbacks);
  });
}

test('a recording in progress is served open; once ended, that player gets EVENT with ENDLIST, a new one VOD', async () => {
  const recording = await storeDemoRecording(t.store, [0, 1]);
  const Loader = createIdbLoader(t.store);

  expect(await loadPlaylist(Loader, recording.id)).toMatchObject({ playlistType: 'EVENT', endlist: false });

  await t.store.update(recording.id, { status: 'complete', endedAtMs: Date.now() });
  // The playlist this player reloads keeps its type and gains ENDLIST (RFC 8216 6.2.1).
  const reloaded = await loadPlaylist(Loader, recording.id);
  expect(reloaded).toMatchObject({ playlistType: 'EVENT', endlist: true });
  expect(reloaded.segments).toHaveLength(2);
  // A player opening it now sees a finished recording.
  expect(await loadPlaylist(createIdbLoader(t.store), recording.id)).toMatchObject({ playlistType: 'VOD', endlist: true });
});

test('an unknown recording fails with code 404', async () => {
  await expect(loadPlaylist(createIdbLoader(t.store), crypto.randomUUID())).rejects.toThrow(/^404: No recording with id/);
});
