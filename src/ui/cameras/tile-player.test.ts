import { afterEach, expect, inject, it } from 'vitest';
import { waitFor } from '../../../tests/helpers/poll.ts';
import { attachTilePlayer, type TilePlaybackState } from './tile-player.ts';

/**
 * A tile whose camera stops delivering new video after it played (the relay's new session
 * after an outage starts a timeline hls.js does not join) loads the stream afresh. The camera
 * is a "live" playlist (no EXT-X-ENDLIST) that never moves on, over real MPEG-TS segments made
 * by ffmpeg (the format-stream server), served and counted by the fault server.
 */

const faultBase = inject('faultServerUrl');
const formatsBase = inject('formatStreamsUrl');
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function playlistRequests(key: string): Promise<number> {
  return ((await (await fetch(`${faultBase}/count/${key}`)).json()) as { requests: number }).requests;
}

/** The ffmpeg MPEG-TS VOD as a live playlist that never changes, served under `key`. */
async function frozenLiveUrl(key: string): Promise<string> {
  const vodUrl = `${formatsBase}/vod/ts/index.m3u8`;
  const vod = await (await fetch(vodUrl)).text();
  const live = vod
    .split('\n')
    .filter((line) => line !== '#EXT-X-ENDLIST' && !line.startsWith('#EXT-X-PLAYLIST-TYPE'))
    .map((line) => (line && !line.startsWith('#') ? new URL(line, vodUrl).href : line))
    .join('\n');
  return `${faultBase}/slow/${key}?ms=0&body=${encodeURIComponent(live)}`;
}

it('a tile that played and then gets no new video says so and loads the stream again, then plays', { timeout: 60_000 }, async () => {
  const key = `stall-${crypto.randomUUID()}`;
  const video = document.createElement('video');
  document.body.append(video);
  cleanups.push(() => video.remove());
  const states: [TilePlaybackState, string][] = [];
  const detach = attachTilePlayer(video, await frozenLiveUrl(key), {
    liveSyncSegmentCount: 2,
    retryDelayMs: 500,
    stallRestartMs: 2000,
    onState: (state, message) => {
      if (states.at(-1)?.[0] !== state || states.at(-1)?.[1] !== message) states.push([state, message]);
    },
  });
  cleanups.push(detach);

  await waitFor(() => (states.some(([s]) => s === 'live') ? true : undefined), { timeoutMs: 20_000, description: 'the tile to play' });
  const requestsWhileLive = await playlistRequests(key);
  // The playlist never moves on: the picture stops at its end, and the tile starts over.
  await waitFor(() => (states.some(([s, m]) => s === 'reconnecting' && m === 'no new video for 2 s') ? true : undefined), { timeoutMs: 30_000, description: 'the tile to notice the stall' });
  await waitFor(() => (states.at(-1)?.[0] === 'live' ? true : undefined), { timeoutMs: 20_000, description: 'the tile to play again' });
  expect(await playlistRequests(key)).toBeGreaterThan(requestsWhileLive);
  expect(states[0]).toEqual(['connecting', '']);

  detach();
  await waitFor(() => (video.getAttribute('src') ? undefined : true), { timeoutMs: 5000, description: 'the player to let go of the video' });
});
