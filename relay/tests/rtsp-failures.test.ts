/**
 * What a user meets when a camera misbehaves: typed errors with clear messages (never a
 * password), from real servers: GStreamer's gst-rtsp-server where it can show the case, a
 * scripted server (node:net) where it cannot (silence, garbage, redirect loops, no media).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type AddressInfo } from 'node:net';
import { playRtsp } from '../src/rtsp/client.ts';
import { RtspProtocolError, RtspStatusError, RtspTimeoutError } from '../src/rtsp/errors.ts';
import { waitFor } from '../../tests/helpers/poll.ts';
import { startRtspServer, startScriptedRtspServer, type RtspTestServer, type ScriptedReply } from './helpers/rtsp-server.ts';

const noop = { onPacket: () => {}, onClose: () => {} };
const SDP = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=cam', 't=0 0', 'm=video 0 RTP/AVP 96', 'a=rtpmap:96 H264/90000', 'a=control:track1', ''].join('\r\n');

/** A camera that answers everything up to PLAY, then sends no media. */
function silentCamera(method: string): ScriptedReply {
  switch (method) {
    case 'OPTIONS': return { status: '200 OK', headers: { Public: 'OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN' } };
    case 'DESCRIBE': return { status: '200 OK', headers: { 'Content-Type': 'application/sdp' }, body: SDP };
    case 'SETUP': return { status: '200 OK', headers: { Session: 'abc;timeout=60', Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' } };
    default: return { status: '200 OK', headers: { Session: 'abc' } };
  }
}

/** An interleaved RTP frame (RFC 2326 section 10.12) on channel 0: H.264 at 30 fps, one byte of payload. */
function rtpFrame(sequenceNumber: number, ssrc: number): Buffer {
  const rtp = Buffer.alloc(13);
  rtp.writeUInt8(0x80, 0);
  rtp.writeUInt8(96, 1);
  rtp.writeUInt16BE(sequenceNumber & 0xffff, 2);
  rtp.writeUInt32BE((sequenceNumber * 3000) >>> 0, 4);
  rtp.writeUInt32BE(ssrc >>> 0, 8);
  rtp.writeUInt8(0x09, 12); // an access unit delimiter NAL unit
  return Buffer.concat([Buffer.from([0x24, 0, 0, rtp.length]), rtp]);
}

/** An interleaved RTCP sender report (RFC 3550 section 6.4.1) on channel 1, pairing `rtpTimestamp` with NTP time `unixMs`. */
function senderReportFrame(ssrc: number, unixMs: number, rtpTimestamp: number): Buffer {
  const sr = Buffer.alloc(28);
  sr.writeUInt8(0x80, 0);
  sr.writeUInt8(200, 1);
  sr.writeUInt16BE(6, 2);
  sr.writeUInt32BE(ssrc >>> 0, 4);
  sr.writeUInt32BE(Math.floor(unixMs / 1000) + 2_208_988_800, 8); // NTP seconds count from 1900
  sr.writeUInt32BE(Math.floor(((unixMs % 1000) / 1000) * 2 ** 32), 12);
  sr.writeUInt32BE(rtpTimestamp >>> 0, 16);
  return Buffer.concat([Buffer.from([0x24, 1, 0, sr.length]), sr]);
}

/** An interleaved RTCP BYE (RFC 3550 section 6.6) on channel 1 from `ssrc`. */
function byeFrame(ssrc: number): Buffer {
  const bye = Buffer.alloc(8);
  bye.writeUInt8(0x81, 0);
  bye.writeUInt8(203, 1);
  bye.writeUInt16BE(1, 2);
  bye.writeUInt32BE(ssrc >>> 0, 4);
  return Buffer.concat([Buffer.from([0x24, 1, 0, bye.length]), bye]);
}

let server: RtspTestServer;
beforeAll(async () => {
  server = await startRtspServer({ mounts: ['/h264aac'] });
}, 30_000);
afterAll(async () => {
  await server?.stop();
});

describe('playRtsp failures', () => {
  it('a wrong path: RtspStatusError 404 on DESCRIBE, URL without password', async () => {
    const error = await playRtsp(server.url('/h264aac').replace('/h264aac', '/nope').replace('//', '//admin:hunter2@'), noop).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RtspStatusError);
    expect(error).toMatchObject({ code: 404, reason: 'Not Found', method: 'DESCRIBE' });
    // The request URL, as sent: no userinfo at all.
    expect((error as RtspStatusError).url).toBe(`rtsp://127.0.0.1:${server.port}/nope`);
    expect((error as Error).message).toBe(`RTSP DESCRIBE rtsp://127.0.0.1:${server.port}/nope failed: 404 Not Found`);
  }, 15_000);

  it('nothing listening: RtspProtocolError saying the connection could not be made', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const error = await playRtsp(`rtsp://127.0.0.1:${port}/x`, noop).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RtspProtocolError);
    expect((error as Error).message).toMatch(/^Could not connect to rtsp:\/\/127\.0\.0\.1:\d+\/x: .*ECONNREFUSED/);
  });

  it('a camera that never answers: RtspTimeoutError naming the request', async () => {
    const camera = await startScriptedRtspServer(() => 'silence');
    try {
      const started = performance.now();
      const error = await playRtsp(camera.url('/x'), { ...noop, requestTimeoutMs: 300 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RtspTimeoutError);
      expect(error).toMatchObject({ kind: 'response', timeoutMs: 300 });
      expect((error as Error).message).toBe(`No answer to OPTIONS from ${camera.url('/x')} within 300 ms`);
      expect(performance.now() - started).toBeLessThan(3000);
    } finally {
      await camera.stop();
    }
  });

  it('a server that is not RTSP: RtspProtocolError', async () => {
    const camera = await startScriptedRtspServer(() => ({ raw: 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n' }));
    try {
      const error = await playRtsp(camera.url('/x'), noop).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RtspProtocolError);
      expect((error as Error).message).toMatch(/Malformed RTSP start line "HTTP\/1.1 400 Bad Request"/);
    } finally {
      await camera.stop();
    }
  });

  it('a redirect loop: RtspProtocolError after the last allowed hop', async () => {
    const camera = await startScriptedRtspServer((request) => ({ status: '302 Found', headers: { Location: `${request.uri}/again` } }));
    try {
      const error = await playRtsp(camera.url('/loop'), { ...noop, maxRedirects: 3 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RtspProtocolError);
      expect((error as Error).message).toMatch(/Too many redirects \(more than 3\)/);
      expect(camera.requests.map((r) => r.uri)).toHaveLength(4);
    } finally {
      await camera.stop();
    }
  });

  it('a transport the camera refuses: RtspStatusError 461 on SETUP', async () => {
    const camera = await startScriptedRtspServer((request) => (request.method === 'SETUP' ? { status: '461 Unsupported Transport' } : silentCamera(request.method)));
    try {
      const error = await playRtsp(camera.url('/cam'), noop).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'RtspStatusError', code: 461, method: 'SETUP', url: `${camera.url('/cam')}/track1` });
      await waitFor(() => (camera.sockets.size === 0 ? true : undefined), { timeoutMs: 2000, description: 'the connection closed' });
    } finally {
      await camera.stop();
    }
  });

  it('a camera that sends no media after PLAY: onClose with RtspTimeoutError (media)', async () => {
    const camera = await startScriptedRtspServer((request) => silentCamera(request.method));
    const closes: (Error | null)[] = [];
    try {
      const playback = await playRtsp(camera.url('/cam'), { onPacket: () => {}, onClose: (e) => closes.push(e), mediaTimeoutMs: 400 });
      const error = await waitFor(() => closes[0] ?? undefined, { timeoutMs: 3000, description: 'onClose' });
      expect(error).toBeInstanceOf(RtspTimeoutError);
      expect(error.message).toBe(`No media from ${camera.url('/cam')} for 400 ms`);
      await playback.teardown(); // after the session ended: a no-op
      expect(closes).toHaveLength(1);
    } finally {
      await camera.stop();
    }
  });

  it('packets of another SSRC than SETUP announced are taken; a change of SSRC mid-session times out, not a silent freeze', async () => {
    let ssrc = 0x12345678; // SETUP below announces 0000abcd, which no packet carries.
    let sequenceNumber = 0;
    let sending: NodeJS.Timeout | null = null;
    const camera = await startScriptedRtspServer((request, socket) => {
      if (request.method === 'SETUP') return { status: '200 OK', headers: { Session: 'abc;timeout=60', Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=0000abcd' } };
      if (request.method === 'PLAY') sending = setInterval(() => socket.write(rtpFrame(sequenceNumber++, ssrc)), 20);
      return silentCamera(request.method);
    });
    const closes: (Error | null)[] = [];
    let packets = 0;
    try {
      await playRtsp(camera.url('/cam'), { onPacket: () => (packets += 1), onClose: (e) => closes.push(e), mediaTimeoutMs: 500, reorderMaxDelayMs: 20 });
      await waitFor(() => (packets >= 5 ? true : undefined), { timeoutMs: 3000, description: 'packets of the SSRC the camera sends' });
      ssrc = 0x0badcafe; // The encoder restarted under the same session.
      const error = await waitFor(() => closes[0] ?? undefined, { timeoutMs: 3000, description: 'onClose' });
      expect(error).toBeInstanceOf(RtspTimeoutError);
      expect(error.message).toBe(`No media from ${camera.url('/cam')} for 500 ms`);
    } finally {
      if (sending) clearInterval(sending);
      await camera.stop();
    }
  });

  it('a camera whose clock is years off: RTP time maps to this host’s clock, not the camera’s', async () => {
    const ssrc = 0x5ca1ab1e;
    let sequenceNumber = 0;
    let sending: NodeJS.Timeout | null = null;
    // A camera that lost its clock in a power cut: it believes it is 1 January 2000.
    const cameraClockMs = Date.UTC(2000, 0, 1);
    const camera = await startScriptedRtspServer((request, socket) => {
      if (request.method === 'PLAY') {
        sending = setInterval(() => {
          socket.write(rtpFrame(sequenceNumber, ssrc));
          if (sequenceNumber % 10 === 0) socket.write(senderReportFrame(ssrc, cameraClockMs + sequenceNumber * 33, sequenceNumber * 3000));
          sequenceNumber += 1;
        }, 20);
      }
      return silentCamera(request.method);
    });
    try {
      const playback = await playRtsp(camera.url('/cam'), { ...noop, reorderMaxDelayMs: 20 });
      const rtpTimestamp = 30 * 3000;
      const wallClockMs = await waitFor(() => playback.wallClockMs(0, rtpTimestamp) ?? undefined, { timeoutMs: 3000, description: 'a sender report' });
      expect(Math.abs(wallClockMs - Date.now())).toBeLessThan(2000);
      // One second of RTP time is still one second.
      expect(playback.wallClockMs(0, rtpTimestamp + 90_000)! - playback.wallClockMs(0, rtpTimestamp)!).toBeCloseTo(1000, 6);
      await playback.teardown();
    } finally {
      if (sending) clearInterval(sending);
      await camera.stop();
    }
  });

  it('a camera that says BYE (RTCP) ends the session at once, not after the media timeout', async () => {
    const ssrc = 0x0b1e0b1e;
    let sequenceNumber = 0;
    let sending: NodeJS.Timeout | null = null;
    const camera = await startScriptedRtspServer((request, socket) => {
      if (request.method === 'PLAY') {
        sending = setInterval(() => {
          socket.write(sequenceNumber === 10 ? byeFrame(ssrc) : rtpFrame(sequenceNumber, ssrc));
          if (sequenceNumber === 10 && sending) clearInterval(sending);
          sequenceNumber += 1;
        }, 20);
      }
      return silentCamera(request.method);
    });
    const closes: (Error | null)[] = [];
    try {
      await playRtsp(camera.url('/cam'), { onPacket: () => {}, onClose: (e) => closes.push(e), mediaTimeoutMs: 60_000 });
      const error = await waitFor(() => closes[0] ?? undefined, { timeoutMs: 5000, description: 'onClose' });
      expect(error).toBeInstanceOf(RtspProtocolError);
      expect(error.message).toBe(`The camera at ${camera.url('/cam')} ended the stream (RTCP BYE)`);
    } finally {
      if (sending) clearInterval(sending);
      await camera.stop();
    }
  });

  it('aborted before PLAY: rejects with the abort reason and closes the connection', async () => {
    const camera = await startScriptedRtspServer((request) => (request.method === 'DESCRIBE' ? 'silence' : silentCamera(request.method)));
    try {
      const controller = new AbortController();
      const pending = playRtsp(camera.url('/cam'), { ...noop, signal: controller.signal });
      await waitFor(() => (camera.requests.some((r) => r.method === 'DESCRIBE') ? true : undefined), { timeoutMs: 3000, description: 'DESCRIBE sent' });
      controller.abort(new Error('user stopped'));
      await expect(pending).rejects.toThrow('user stopped');
      await waitFor(() => (camera.sockets.size === 0 ? true : undefined), { timeoutMs: 2000, description: 'the connection closed' });
    } finally {
      await camera.stop();
    }
  });

  it('aborted while a UDP track is being set up: the port pair it was binding is closed too', async () => {
    const camera = await startScriptedRtspServer((request) => silentCamera(request.method));
    const udpSockets = () => process.getActiveResourcesInfo().filter((resource) => resource === 'UDPWrap').length;
    const before = udpSockets();
    try {
      const controller = new AbortController();
      // Stop comes just as the first track's ports are being bound (before its SETUP is sent).
      const selectTracks = <T>(tracks: T[]) => {
        queueMicrotask(() => controller.abort(new Error('user stopped')));
        return tracks;
      };
      await expect(playRtsp(camera.url('/cam'), { ...noop, transport: 'udp', selectTracks, signal: controller.signal })).rejects.toThrow('user stopped');
      await waitFor(() => (udpSockets() === before ? true : undefined), { timeoutMs: 3000, description: 'every UDP socket closed' });
      expect(camera.requests.map((r) => r.method)).not.toContain('SETUP');
    } finally {
      await camera.stop();
    }
  });

  it('the camera going away while playing: onClose with RtspProtocolError', async () => {
    const own = await startRtspServer({ mounts: ['/h264aac'] });
    const closes: (Error | null)[] = [];
    let packets = 0;
    try {
      await playRtsp(own.url('/h264aac'), { onPacket: () => (packets += 1), onClose: (e) => closes.push(e) });
      await waitFor(() => (packets >= 10 ? true : undefined), { timeoutMs: 10_000, description: '10 packets' });
    } finally {
      await own.stop();
    }
    const error = await waitFor(() => closes[0] ?? undefined, { timeoutMs: 5000, description: 'onClose' });
    expect(error).toBeInstanceOf(RtspProtocolError);
    expect(error.message).toBe(`The camera at ${own.url('/h264aac')} closed the connection`);
    expect(closes).toHaveLength(1);
  }, 30_000);
});
