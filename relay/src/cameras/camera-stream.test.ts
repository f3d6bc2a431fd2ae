/**
 * CameraStream's lifecycle with a stand-in RTSP client, for what the GStreamer fixture cannot
 * serve (a camera with MJPEG video) and to count attempts exactly. The real RTSP path is in
 * relay/tests/cameras-rtsp.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../../tests/helpers/poll.ts';
import { RtspAuthError } from '../rtsp/errors.ts';
import type { RtspPlayOptions, RtspTrack } from '../rtsp/types.ts';
import { createLogger } from '../log.ts';
import { resolveCameraStreamsConfig } from './config.ts';
import { CameraStream, type PlayRtsp } from './camera-stream.ts';
import type { CameraConfig } from './types.ts';

const CAMERA: CameraConfig = { id: 'c1', name: 'Door', group: 'home', rtspUrl: 'rtsp://admin:s3cret@192.0.2.1/stream', transport: 'tcp', enabled: true };
const config = resolveCameraStreamsConfig({ reconnectInitialDelayMs: 10, reconnectMaxDelayMs: 20, offlineAfterFailures: 3, firstPlaylistTimeoutMs: 200 });
const logger = createLogger({ level: 'silent' });

describe('CameraStream', () => {
  it('stays idle until asked, then connecting, reconnecting and offline as attempts fail, with the error minus its password', async () => {
    const attempts: string[] = [];
    const playRtsp: PlayRtsp = (url) => {
      attempts.push(url);
      return Promise.reject(new Error(`connect ECONNREFUSED for ${url}`));
    };
    const stream = new CameraStream(CAMERA, { playRtsp, logger, config });
    expect(stream.status().state).toBe('idle');
    expect(attempts).toEqual([]);
    const file = stream.getFile('index.m3u8', new AbortController().signal);
    expect(stream.status().state).toBe('connecting');
    expect(await file).toBeNull();
    const status = await waitFor(() => (stream.status().state === 'offline' ? stream.status() : undefined), { timeoutMs: 5000, description: 'offline' });
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    expect(status.lastError).toBe('connect ECONNREFUSED for rtsp://admin:***@192.0.2.1/stream');
    await stream.stop();
    expect(stream.status().state).toBe('idle');
  });

  it('a camera without H.264/H.265 video goes offline with a clear error and is not retried', async () => {
    let attempts = 0;
    const mjpeg: RtspTrack = { mediaType: 'video', encodingName: 'JPEG', clockRateHz: 90000, channels: null, payloadType: 26, fmtp: {}, controlUrl: 'rtsp://x/0' };
    const playRtsp: PlayRtsp = (_url, options: RtspPlayOptions) => {
      attempts += 1;
      try {
        options.selectTracks?.([mjpeg]);
      } catch (error) {
        return Promise.reject(error);
      }
      return Promise.reject(new Error('unreachable'));
    };
    const stream = new CameraStream(CAMERA, { playRtsp, logger, config });
    void stream.getFile('index.m3u8', new AbortController().signal);
    const status = await waitFor(() => (stream.status().state === 'offline' ? stream.status() : undefined), { timeoutMs: 5000, description: 'offline' });
    expect(status.lastError).toBe('The camera offers no H.264 or H.265 video (it offers video JPEG)');
    // An observation window of ten reconnect delays (not synchronisation): a retry would show here.
    await new Promise((resolve) => setTimeout(resolve, 10 * config.reconnectMaxDelayMs));
    expect(attempts).toBe(1);
    await stream.stop();
  });

  it('a camera that refuses the password goes offline with the reason and is tried again only after authRetryDelayMs', async () => {
    const attemptsAtMs: number[] = [];
    const playRtsp: PlayRtsp = (url) => {
      attemptsAtMs.push(performance.now());
      return Promise.reject(new RtspAuthError('credentials-rejected', url, 'admin'));
    };
    const authRetryDelayMs = 600;
    const stream = new CameraStream(CAMERA, { playRtsp, logger, config: { ...config, authRetryDelayMs } });
    void stream.getFile('index.m3u8', new AbortController().signal);
    const status = await waitFor(() => (stream.status().state === 'offline' ? stream.status() : undefined), { timeoutMs: 5000, description: 'offline' });
    expect(status.lastError).toBe('The camera at rtsp://admin@192.0.2.1/stream refused user name "admin" and its password: check both');
    // At the reconnect delay (10–20 ms) a second login would come at once; cameras lock the account after a few.
    await waitFor(() => (attemptsAtMs.length >= 2 ? true : undefined), { timeoutMs: 5000, description: 'a second attempt' });
    expect(attemptsAtMs[1]! - attemptsAtMs[0]!).toBeGreaterThanOrEqual(authRetryDelayMs - 20);
    await stream.stop();
  });

  it('a camera edited while a player asks for it runs one session, on the new URL, which stop ends', async () => {
    // A camera that never answers: each attempt waits until it is aborted.
    const attempts: { url: string; signal: AbortSignal }[] = [];
    const playRtsp: PlayRtsp = (url, options) =>
      new Promise((_resolve, reject) => {
        attempts.push({ url, signal: options.signal! });
        options.signal!.addEventListener('abort', () => reject(options.signal!.reason), { once: true });
      });
    const stream = new CameraStream(CAMERA, { playRtsp, logger, config });
    void stream.getFile('index.m3u8', new AbortController().signal);
    await waitFor(() => (attempts.length === 1 ? true : undefined), { timeoutMs: 2000, description: 'the first session' });
    const moved: CameraConfig = { ...CAMERA, rtspUrl: 'rtsp://admin:s3cret@192.0.2.2/stream' };
    const updating = stream.update(moved);
    void stream.getFile('index.m3u8', new AbortController().signal); // a player polls while the old session ends
    await updating;
    await waitFor(() => (attempts.length === 2 ? true : undefined), { timeoutMs: 2000, description: 'the session on the new URL' });
    expect(attempts.map(({ url, signal }) => [url, signal.aborted])).toEqual([
      [CAMERA.rtspUrl, true],
      [moved.rtspUrl, false],
    ]);
    expect(stream.status().state).toBe('connecting');
    await stream.stop();
    expect(attempts.every(({ signal }) => signal.aborted)).toBe(true);
  });

  it('a camera whose media never comes after PLAY (UDP blocked) is not shown live, and goes offline', async () => {
    const h264: RtspTrack = { mediaType: 'video', encodingName: 'H264', clockRateHz: 90000, channels: null, payloadType: 96, fmtp: { 'packetization-mode': '1' }, controlUrl: 'rtsp://x/0' };
    const states = new Set<string>();
    let attempts = 0;
    const playRtsp: PlayRtsp = async (_url, options) => {
      attempts += 1;
      options.selectTracks?.([h264]);
      // PLAY answered; then nothing, until the media timeout ends the session.
      setTimeout(() => options.onClose(new Error('No media for 10000 ms')), 30);
      return { tracks: [h264], stats: () => ({ ssrc: null, packetsReceived: 0, packetsLost: 0, lossRate: 0, jitter: 0, bytesReceived: 0 }), wallClockMs: () => null, teardown: async () => {} };
    };
    const stream = new CameraStream(CAMERA, { playRtsp, logger, config });
    const watching = setInterval(() => states.add(stream.status().state), 2);
    try {
      void stream.getFile('index.m3u8', new AbortController().signal);
      const status = await waitFor(() => (stream.status().state === 'offline' ? stream.status() : undefined), { timeoutMs: 5000, description: 'offline' });
      expect(status.lastError).toBe('No media for 10000 ms');
      expect(attempts).toBeGreaterThanOrEqual(config.offlineAfterFailures);
      expect(states.has('live')).toBe(false);
    } finally {
      clearInterval(watching);
      await stream.stop();
    }
  });

  it('a disabled camera serves nothing and never connects', async () => {
    let attempts = 0;
    const stream = new CameraStream({ ...CAMERA, enabled: false }, { playRtsp: () => ((attempts += 1), Promise.reject(new Error('no'))), logger, config });
    expect(stream.status().state).toBe('disabled');
    expect(await stream.getFile('index.m3u8', new AbortController().signal)).toBeNull();
    expect(attempts).toBe(0);
    await stream.update({ ...CAMERA, enabled: true });
    expect(stream.status().state).toBe('idle');
  });
});
