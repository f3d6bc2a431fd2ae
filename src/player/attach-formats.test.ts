import { afterEach, beforeEach, describe, expect, inject, test } from 'vitest';
import { waitFor } from '../../tests/helpers/poll.ts';
import { fileUrl, HLS_TYPE, recordToEnd } from '../../tests/helpers/recorder-harness.ts';
import { openTestStore, testVideo, type TestStore } from '../storage/test-fixtures.ts';
import type { Recording } from '../storage/types.ts';
import { attachRecording, type RecordingPlayback } from './attach.ts';

/**
 * Playback from IndexedDB of recordings in other segment formats than MPEG-TS, recorded from real
 * ffmpeg streams (tests/helpers/format-streams.ts): fMP4 (init section served from storage) and
 * packed audio.
 */

const formats = inject('formatStreamsUrl');
let t: TestStore;
let video: HTMLVideoElement;
let playback: RecordingPlayback | undefined;
const errors: string[] = [];

beforeEach(async () => {
  t = await openTestStore();
  video = testVideo();
  errors.length = 0;
});

afterEach(async () => {
  playback?.detach();
  playback = undefined;
  video.remove();
  await t.dispose();
});

function record(variant: string, url = `${formats}/vod/${variant}/index.m3u8`): Promise<Recording> {
  return recordToEnd(t.store, url);
}

/** Bytes of audio the element has decoded (Chromium's `webkitAudioDecodedByteCount`). */
function audioDecodedBytes(element: HTMLVideoElement): number {
  return (element as HTMLVideoElement & { webkitAudioDecodedByteCount: number }).webkitAudioDecodedByteCount;
}

describe('attachRecording on other segment formats', () => {
  test('fMP4: plays from its stored init section and fragments, and seeks', { timeout: 40_000 }, async () => {
    const recording = await record('fmp4');
    playback = attachRecording(video, recording.id, t.store, (message) => errors.push(message));

    await expect.poll(() => video.currentTime, { timeout: 15_000 }).toBeGreaterThan(1);
    expect(errors).toEqual([]);
    expect(video.videoWidth).toBe(320);
    expect(Math.abs(video.duration - recording.durationSec)).toBeLessThan(0.5);
    video.currentTime = 4.2;
    await expect.poll(() => video.currentTime, { timeout: 15_000 }).toBeGreaterThan(4.4);
    expect(errors).toEqual([]);
  });

  test('fMP4 whose init section changes mid-recording: plays across the change', { timeout: 40_000 }, async () => {
    const recording = await record('fmp4-switch');
    playback = attachRecording(video, recording.id, t.store, (message) => errors.push(message));
    await expect.poll(() => video.currentTime, { timeout: 15_000 }).toBeGreaterThan(0.5);
    video.currentTime = 7;
    await expect.poll(() => video.currentTime, { timeout: 15_000 }).toBeGreaterThan(7.5);
    await expect.poll(() => video.videoWidth, { timeout: 15_000 }).toBe(256);
    expect(errors).toEqual([]);
  });

  test.each(['adts-id3', 'mp3'])('packed audio (%s): plays', { timeout: 40_000 }, async (variant) => {
    const recording = await record(variant);
    playback = attachRecording(video, recording.id, t.store, (message) => errors.push(message));
    await expect.poll(() => video.currentTime, { timeout: 15_000 }).toBeGreaterThan(1);
    expect(errors).toEqual([]);
  });

  test('a video-only recording with an alternate audio rendition: plays the audio of the rendition with the video', { timeout: 40_000 }, async () => {
    const base = `${formats}/vod/fmp4-renditions`;
    const master = [
      '#EXTM3U',
      `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="audio_2",DEFAULT=YES,AUTOSELECT=YES,URI="${base}/index1.m3u8"`,
      '#EXT-X-STREAM-INF:BANDWIDTH=300000,AUDIO="aud"',
      `${base}/index0.m3u8`,
      '',
    ].join('\n');
    const recording = await record('fmp4-renditions', fileUrl(inject('faultServerUrl'), master, HLS_TYPE));
    await waitFor(async () => ((await t.store.listChildren(recording.id))[0]?.status === 'complete' ? true : undefined), { timeoutMs: 15_000, description: 'the audio rendition recorded' });
    expect(recording.kind).toBe('video');
    expect(recording.codecs.some((codec) => codec.startsWith('mp4a'))).toBe(false);

    playback = attachRecording(video, recording.id, t.store, (message) => errors.push(message));
    await expect.poll(() => video.currentTime, { timeout: 15_000 }).toBeGreaterThan(1);
    await expect.poll(() => audioDecodedBytes(video), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(video.videoWidth).toBe(320);
    expect(errors).toEqual([]);
  });

  test('video with an alternate audio rendition, both breaking at a discontinuity (320x180, then 256x144 under new init sections): plays across it with its audio', { timeout: 60_000 }, async () => {
    const fault = inject('faultServerUrl');
    /** A VOD media playlist of `files` of fmp4-renditions, then after a discontinuity the same of fmp4-renditions-small. */
    const switched = (init: string, files: string[]) => {
      const part = (variant: string) => [`#EXT-X-MAP:URI="${formats}/vod/${variant}/${init}"`, ...files.flatMap((file) => ['#EXTINF:2.0,', `${formats}/vod/${variant}/${file}`])];
      return ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:2', '#EXT-X-PLAYLIST-TYPE:VOD', ...part('fmp4-renditions'), '#EXT-X-DISCONTINUITY', ...part('fmp4-renditions-small'), '#EXT-X-ENDLIST', ''].join('\n');
    };
    // ffmpeg's audio playlist of the 6 s has four segments, the last one short.
    const audioFiles = ['seg1-000.m4s', 'seg1-001.m4s', 'seg1-002.m4s', 'seg1-003.m4s'];
    const master = [
      '#EXTM3U',
      `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="audio_2",DEFAULT=YES,AUTOSELECT=YES,URI="${fileUrl(fault, switched('init1.mp4', audioFiles), HLS_TYPE)}"`,
      '#EXT-X-STREAM-INF:BANDWIDTH=300000,AUDIO="aud"',
      fileUrl(fault, switched('init0.mp4', ['seg0-000.m4s', 'seg0-001.m4s', 'seg0-002.m4s']), HLS_TYPE),
      '',
    ].join('\n');
    const recording = await record('fmp4-renditions', fileUrl(fault, master, HLS_TYPE));
    await waitFor(async () => ((await t.store.listChildren(recording.id))[0]?.status === 'complete' ? true : undefined), { timeoutMs: 15_000, description: 'the audio rendition recorded' });

    playback = attachRecording(video, recording.id, t.store, (message) => errors.push(message));
    await expect.poll(() => video.currentTime, { timeout: 15_000 }).toBeGreaterThan(1);
    expect(video.videoWidth).toBe(320);
    await expect.poll(() => video.currentTime, { timeout: 20_000 }).toBeGreaterThan(5);
    const firstPartAudioBytes = audioDecodedBytes(video);
    await expect.poll(() => video.currentTime, { timeout: 20_000 }).toBeGreaterThan(8);
    expect(video.videoWidth).toBe(256);
    await expect.poll(() => video.ended, { timeout: 20_000 }).toBe(true);
    // 12 s of audio decoded by the end against 5 s by the change: the second part's played too.
    expect(audioDecodedBytes(video) / firstPartAudioBytes).toBeGreaterThan(1.8);
    expect(errors).toEqual([]);
  });

  test('video and its alternate audio each lost a different segment (404): both keep the time, and it plays to the end with its audio', { timeout: 60_000 }, async () => {
    const fault = inject('faultServerUrl');
    const missing = `${fault}/status/404`;
    /** A VOD media playlist of two passes of ffmpeg's 6 s, a discontinuity between them. */
    const playlist = (init: string, first: string[], second: string[]) => {
      const part = (files: string[]) => files.flatMap((file) => ['#EXTINF:2.0,', file.startsWith('http') ? file : `${formats}/vod/fmp4-renditions/${file}`]);
      return ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:2', '#EXT-X-PLAYLIST-TYPE:VOD', `#EXT-X-MAP:URI="${formats}/vod/fmp4-renditions/${init}"`, ...part(first), '#EXT-X-DISCONTINUITY', ...part(second), '#EXT-X-ENDLIST', ''].join('\n');
    };
    // The audio lost 2-4 s, the video 8-10 s.
    const audioFiles = ['seg1-000.m4s', 'seg1-001.m4s', 'seg1-002.m4s', 'seg1-003.m4s'];
    const videoFiles = ['seg0-000.m4s', 'seg0-001.m4s', 'seg0-002.m4s'];
    const master = [
      '#EXTM3U',
      `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="audio_2",DEFAULT=YES,AUTOSELECT=YES,URI="${fileUrl(fault, playlist('init1.mp4', audioFiles.with(1, missing), audioFiles), HLS_TYPE)}"`,
      '#EXT-X-STREAM-INF:BANDWIDTH=300000,AUDIO="aud"',
      fileUrl(fault, playlist('init0.mp4', videoFiles, videoFiles.with(1, missing)), HLS_TYPE),
      '',
    ].join('\n');
    const recording = await record('fmp4-renditions', fileUrl(fault, master, HLS_TYPE));
    await waitFor(async () => ((await t.store.listChildren(recording.id))[0]?.status === 'complete' ? true : undefined), { timeoutMs: 30_000, description: 'the audio rendition recorded' });
    const [audio] = await t.store.listChildren(recording.id);
    expect(recording.gaps.map((gap) => [gap.fromMsn, gap.count])).toEqual([[4, 1]]);
    expect(audio!.gaps.map((gap) => [gap.fromMsn, gap.count])).toEqual([[1, 1]]);

    playback = attachRecording(video, recording.id, t.store, (message) => errors.push(message));
    await expect.poll(() => video.currentTime, { timeout: 15_000 }).toBeGreaterThan(1);
    // The player's timeline keeps the lost 2 s of video.
    expect(video.duration).toBeCloseTo(12, 0);
    const beforeGapAudioBytes = audioDecodedBytes(video);
    await expect.poll(() => video.ended, { timeout: 30_000 }).toBe(true);
    expect(video.currentTime).toBeGreaterThan(11.5);
    // Audio went on after both gaps: far more decoded by the end than in the first second.
    expect(audioDecodedBytes(video)).toBeGreaterThan(3 * beforeGapAudioBytes);
    expect(errors).toEqual([]);
  });
});
