import { afterEach, beforeEach, expect, test } from 'vitest';
import { attachRecording, type RecordingPlayback } from '../player/attach.ts';
import { openTestStore, storeDemoRecording, testVideo, type TestStore } from '../storage/test-fixtures.ts';
import type { Recording } from '../storage/types.ts';
import { attachMediaSession, DEFAULT_SEEK_OFFSET_SEC, type MediaSessionController } from './media-session.ts';

let t: TestStore;
let video: HTMLVideoElement;
let playback: RecordingPlayback | undefined;
let session: MediaSessionController | undefined;
let recording: Recording;

beforeEach(async () => {
  t = await openTestStore();
  video = testVideo();
  // Ten demo segments: 20 s of H.264 + AAC, room to seek both ways.
  recording = await storeDemoRecording(t.store, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  recording = await t.store.update(recording.id, { status: 'complete', endedAtMs: Date.now(), tags: { artist: 'Radio Tapedeck', album: 'Morning show' } });
  recording = await t.store.rename(recording.id, 'Morning show 2026-05-01');
  playback = attachRecording(video, recording.id, t.store, () => undefined);
  await expect.poll(() => video.currentTime, { timeout: 15_000 }).toBeGreaterThan(0.2);
});

afterEach(async () => {
  session?.detach();
  session = undefined;
  playback?.detach();
  playback = undefined;
  video.remove();
  await t.dispose();
});

test('shows the playing recording: title, station as artist, programme as album, the app icon', () => {
  session = attachMediaSession(video, recording);

  const metadata = navigator.mediaSession.metadata;
  expect(metadata?.title).toBe('Morning show 2026-05-01');
  expect(metadata?.artist).toBe('Radio Tapedeck');
  expect(metadata?.album).toBe('Morning show');
  expect(metadata?.artwork.map((image) => new URL(image.src).pathname)).toEqual(['/favicon.svg', '/icons/icon-192.png', '/icons/icon-512.png']);
  expect(navigator.mediaSession.playbackState).toBe('playing');
});

test('without tags the source name is the artist', () => {
  session = attachMediaSession(video, { title: 'Demo stream', sourceName: 'example.com' });
  expect(navigator.mediaSession.metadata?.artist).toBe('example.com');
  expect(navigator.mediaSession.metadata?.album).toBe('');
});

test('seek forward and back move the video by the offset given, else 10 s', { timeout: 30_000 }, async () => {
  session = attachMediaSession(video, recording);
  video.pause();
  video.currentTime = 5;
  await expect.poll(() => video.seeking, { timeout: 10_000 }).toBe(false);

  session.handle('seekforward', { seekOffset: 5 });
  expect(video.currentTime).toBeCloseTo(10, 1);
  session.handle('seekbackward', {});
  expect(video.currentTime).toBeCloseTo(10 - DEFAULT_SEEK_OFFSET_SEC, 1);
  session.handle('seekbackward', { seekOffset: 30 });
  expect(video.currentTime).toBe(0);
  session.handle('seekto', { seekTime: 12.5 });
  expect(video.currentTime).toBeCloseTo(12.5, 1);
  session.handle('seekforward', { seekOffset: 60 });
  expect(video.currentTime).toBeCloseTo(video.duration, 1);
});

test('play, pause and stop drive the video; stop calls onStop', { timeout: 30_000 }, async () => {
  let stopped = 0;
  session = attachMediaSession(video, recording, { onStop: () => (stopped += 1) });

  session.handle('pause');
  expect(video.paused).toBe(true);
  await expect.poll(() => navigator.mediaSession.playbackState, { timeout: 10_000 }).toBe('paused');

  session.handle('play');
  await expect.poll(() => navigator.mediaSession.playbackState, { timeout: 10_000 }).toBe('playing');
  const before = video.currentTime;
  await expect.poll(() => video.currentTime, { timeout: 10_000 }).toBeGreaterThan(before + 0.2);

  session.handle('stop');
  expect(video.paused).toBe(true);
  expect(stopped).toBe(1);
});

test('a rename shows the new title; detach clears metadata, handlers and state', () => {
  session = attachMediaSession(video, recording);
  session.setRecording({ ...recording, title: 'Renamed' });
  expect(navigator.mediaSession.metadata?.title).toBe('Renamed');

  session.detach();
  expect(navigator.mediaSession.metadata).toBeNull();
  expect(navigator.mediaSession.playbackState).toBe('none');
  // Detached: a late rename does not bring the metadata back, and detaching again is harmless.
  session.setRecording(recording);
  expect(navigator.mediaSession.metadata).toBeNull();
  expect(() => session!.detach()).not.toThrow();
});
