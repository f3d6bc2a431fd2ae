import { afterEach, expect, inject, it } from 'vitest';
import { waitFor } from '../../../tests/helpers/poll.ts';
import { fileUrl } from '../../../tests/helpers/recorder-harness.ts';
import { withCameraDefaults } from '../../cameras/camera-store.ts';
import './camera-tile.ts';
import { recordingWords, type CameraTile } from './camera-tile.ts';

/**
 * A grid tile downloads video only while it is on screen: off screen it has no hls.js player
 * (no request reaches the camera, the video has no source); scrolled into view it plays; taken
 * off the page it lets go of the stream. The camera is a live playlist on a real HTTP server
 * (the fault server), whose `/slow/<key>` route counts the requests made to it.
 */

const base = inject('faultServerUrl');
const added: HTMLElement[] = [];
afterEach(() => {
  for (const element of added.splice(0)) element.remove();
});

async function playlistRequests(key: string): Promise<number> {
  return ((await (await fetch(`${base}/count/${key}`)).json()) as { requests: number }).requests;
}

/** A live playlist of two 1 s segments, served (and counted) under `key`. */
function cameraUrl(key: string): string {
  const playlist = ['#EXTM3U', '#EXT-X-TARGETDURATION:1', '#EXT-X-MEDIA-SEQUENCE:0', '#EXTINF:1.0,', fileUrl(base, 'a'), '#EXTINF:1.0,', fileUrl(base, 'b'), ''].join('\n');
  return `${base}/slow/${key}?ms=0&body=${encodeURIComponent(playlist)}`;
}

/** Resolves once IntersectionObserver has reported on `element` (the tile's own observer, made earlier, has then too). */
function observed(element: Element): Promise<boolean> {
  return new Promise((resolve) => {
    const observer = new IntersectionObserver((entries) => {
      observer.disconnect();
      resolve(entries.some((e) => e.isIntersecting));
    });
    observer.observe(element);
  });
}

it('has no player off screen, plays once scrolled into view, and lets go of the stream when removed', { timeout: 40_000 }, async () => {
  const key = `tile-${crypto.randomUUID()}`;
  const spacer = document.createElement('div');
  spacer.style.height = '300vh';
  document.body.append(spacer);
  added.push(spacer);
  const tile = document.createElement('td-camera-tile') as CameraTile;
  tile.camera = withCameraDefaults({ id: 'c1', name: 'Porch', streamUrl: cameraUrl(key) });
  document.body.append(tile);
  added.push(tile);
  expect(await observed(tile)).toBe(false);
  await tile.updateComplete;
  const video = tile.shadowRoot!.querySelector('video')!;
  expect(video.getAttribute('src')).toBeNull();
  expect(await playlistRequests(key)).toBe(0);

  // hls.js gives the video a MediaSource (a blob: URL) when it attaches. The test camera's
  // segments are not media, so the tile may go offline soon after: remember the attach.
  let attached = false;
  const watcher = new MutationObserver((records) => {
    // A blob: URL now, or one that was replaced since (its record's old value).
    if (video.getAttribute('src')?.startsWith('blob:') || records.some((r) => r.oldValue?.startsWith('blob:'))) attached = true;
  });
  watcher.observe(video, { attributes: true, attributeFilter: ['src'], attributeOldValue: true });
  tile.scrollIntoView();
  await waitFor(async () => ((await playlistRequests(key)) > 0 && attached ? true : undefined), { timeoutMs: 30_000, description: 'the tile to load the camera' });
  watcher.disconnect();
  expect(tile.shadowRoot!.querySelector('h3')?.textContent).toBe('Porch');

  tile.remove();
  await waitFor(() => (video.getAttribute('src') ? undefined : true), { timeoutMs: 5000, description: 'the player to let go of the video' });
});

it('words the recording state for the grid', () => {
  expect(recordingWords({ on: false, capture: null })).toBe('Not recording');
  expect(recordingWords({ on: true, capture: null })).toBe('Recording in another tab');
  expect(recordingWords({ on: true, capture: { cameraId: 'c', state: 'recording', recordingId: 'r', message: '' } })).toBe('Recording');
  expect(recordingWords({ on: true, capture: { cameraId: 'c', state: 'retrying', recordingId: null, message: 'HTTP 404' } })).toBe('Recording paused: HTTP 404');
  expect(recordingWords({ on: true, capture: { cameraId: 'c', state: 'interrupted', recordingId: 'r', message: 'No new segment for 6 s: the stream may have stalled.' } })).toBe(
    'Recording interrupted: No new segment for 6 s: the stream may have stalled.',
  );
});
