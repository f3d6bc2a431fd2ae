/**
 * playRtsp against a real RTSP server (GStreamer's gst-rtsp-server, relay/tests/fixtures):
 * TCP interleaved and UDP, H.264 + AAC, H.265, PCMU; receiver reports, keepalive, teardown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playRtsp } from '../src/rtsp/client.ts';
import type { RtpPacket, RtspPlayback } from '../src/rtsp/types.ts';
import { waitFor } from '../../tests/helpers/poll.ts';
import { startRtspServer, type RtspServerEvent, type RtspTestServer } from './helpers/rtsp-server.ts';

/** Session timeout the server announces, in seconds: short, so keepalives must come often. */
const SESSION_TIMEOUT_SEC = 2;

let server: RtspTestServer;
beforeAll(async () => {
  server = await startRtspServer({ mounts: ['/h264aac', '/h265', '/pcmu'], sessionTimeoutSec: SESSION_TIMEOUT_SEC });
}, 30_000);
afterAll(async () => {
  await server?.stop();
});

interface Received {
  packets: { trackIndex: number; packet: RtpPacket; arrivalMs: number }[];
  closes: (Error | null)[];
}

async function play(path: '/h264aac' | '/h265' | '/pcmu', transport: 'tcp' | 'udp', extra: { receiverReportIntervalMs?: number } = {}) {
  const received: Received = { packets: [], closes: [] };
  const playback = await playRtsp(server.url(path), {
    transport,
    requestTimeoutMs: 5000,
    onPacket: (trackIndex, packet) => received.packets.push({ trackIndex, packet, arrivalMs: performance.now() }),
    onClose: (error) => received.closes.push(error),
    ...extra,
  });
  return { playback, received };
}

/** Waits until every track has `count` packets. */
async function packetsOnEveryTrack(playback: RtspPlayback, received: Received, count: number): Promise<void> {
  await waitFor(
    () => (playback.tracks.every((_, i) => received.packets.filter((p) => p.trackIndex === i).length >= count) ? true : undefined),
    { timeoutMs: 10_000, description: `${count} packets on each of ${playback.tracks.length} tracks` },
  );
}

/** In order (+1 mod 2^16), timestamps never going back, spanning about the time they took to come. */
function expectSaneTrack(received: Received, trackIndex: number, clockRateHz: number, payloadType: number): void {
  const packets = received.packets.filter((p) => p.trackIndex === trackIndex);
  for (let i = 1; i < packets.length; i += 1) {
    expect(packets[i]!.packet.sequenceNumber).toBe((packets[i - 1]!.packet.sequenceNumber + 1) & 0xffff);
    expect((packets[i]!.packet.timestamp - packets[i - 1]!.packet.timestamp) | 0).toBeGreaterThanOrEqual(0);
  }
  expect(packets.every((p) => p.packet.payloadType === payloadType && p.packet.payload.length > 0)).toBe(true);
  const first = packets[0]!;
  const last = packets.at(-1)!;
  const mediaSec = ((last.packet.timestamp - first.packet.timestamp) | 0) / clockRateHz;
  const wallSec = (last.arrivalMs - first.arrivalMs) / 1000;
  expect(Math.abs(mediaSec - wallSec)).toBeLessThan(0.5);
}

function eventsFor(path: string, from: number): RtspServerEvent[] {
  return server.events.slice(from).filter((e) => e.event !== 'request' || e.path?.startsWith(path));
}

describe.each(['tcp', 'udp'] as const)('playRtsp over %s', (transport) => {
  it('receives H.264 and AAC in order with no loss, sends receiver reports, and tears down cleanly', async () => {
    const from = server.events.length;
    const { playback, received } = await play('/h264aac', transport, { receiverReportIntervalMs: 300 });
    try {
      expect(playback.tracks.map((t) => [t.mediaType, t.encodingName, t.clockRateHz])).toEqual([
        ['video', 'H264', 90000],
        ['audio', 'MPEG4-GENERIC', 48000],
      ]);
      expect(playback.tracks[1]!.fmtp.mode).toBe('AAC-hbr');
      await packetsOnEveryTrack(playback, received, 40);
      // The server received our RR + SDES for both tracks, reporting its SSRC with no loss.
      const reports = await waitFor(() => {
        const rr = server.events.slice(from).filter((e): e is Extract<RtspServerEvent, { event: 'rtcp' }> =>
          e.event === 'rtcp' && e.reportBlocks.length > 0 && e.types.join() === '201,202');
        return new Set(rr.map((e) => e.stream)).size === 2 ? rr : undefined;
      }, { timeoutMs: 5000, description: 'receiver reports for both tracks at the server' });
      const ssrcs = [playback.stats(0).ssrc, playback.stats(1).ssrc];
      for (const report of reports) {
        expect(ssrcs).toContain(report.reportBlocks[0]!.ssrc);
        expect(report.reportBlocks[0]!.cumulativeLost).toBe(0);
      }
      // Sender reports arrived: RTP time maps to a wall clock near now.
      // (The fixture runs GStreamer's pipeline clock on real time, so its NTP times are today's.)
      const lastVideoTimestamp = () => received.packets.filter((p) => p.trackIndex === 0).at(-1)!.packet.timestamp;
      const wallClock = await waitFor(() => playback.wallClockMs(0, lastVideoTimestamp()) ?? undefined, { timeoutMs: 10_000, description: 'an RTCP sender report' });
      expect(Math.abs(wallClock - Date.now())).toBeLessThan(1000);
      expect(playback.wallClockMs(0, lastVideoTimestamp() + 90000)! - playback.wallClockMs(0, lastVideoTimestamp())!).toBeCloseTo(1000, 6);
    } finally {
      await playback.teardown();
    }
    for (const [i, clockRateHz] of [[0, 90000], [1, 48000]] as const) {
      expectSaneTrack(received, i, clockRateHz, playback.tracks[i]!.payloadType);
      const stats = playback.stats(i);
      expect(stats).toMatchObject({ packetsLost: 0, lossRate: 0 });
      expect(stats.packetsReceived).toBe(received.packets.filter((p) => p.trackIndex === i).length);
      expect(stats.bytesReceived).toBeGreaterThan(0);
    }
    expect(received.closes).toEqual([null]);
    await waitFor(() => (eventsFor('/h264aac', from).some((e) => e.event === 'request' && e.method === 'TEARDOWN') ? true : undefined), { timeoutMs: 3000, description: 'TEARDOWN at the server' });
    await waitFor(() => (server.events.slice(from).some((e) => e.event === 'client-closed') ? true : undefined), { timeoutMs: 3000, description: 'the server to see the client go' });
    const methods = eventsFor('/h264aac', from).flatMap((e) => (e.event === 'request' ? [e.method] : []));
    expect(methods.slice(0, 5)).toEqual(['OPTIONS', 'DESCRIBE', 'SETUP', 'SETUP', 'PLAY']);
    // Nothing comes after teardown, and a second teardown is harmless.
    const count = received.packets.length;
    await playback.teardown();
    expect(received.packets.length).toBe(count);
    expect(received.closes).toEqual([null]);
  }, 30_000);
});

describe('playRtsp tracks', () => {
  it('receives H.265', async () => {
    const { playback, received } = await play('/h265', 'tcp');
    try {
      expect(playback.tracks.map((t) => t.encodingName)).toEqual(['H265']);
      await packetsOnEveryTrack(playback, received, 30);
      expect(playback.stats(0).packetsLost).toBe(0);
    } finally {
      await playback.teardown();
    }
    expectSaneTrack(received, 0, 90000, playback.tracks[0]!.payloadType);
  }, 30_000);

  it('names a PCMU audio track, and sets up only the tracks selected', async () => {
    const received: RtpPacket[] = [];
    const playback = await playRtsp(server.url('/pcmu'), {
      selectTracks: (tracks) => tracks.filter((t) => t.encodingName !== 'PCMU'),
      onPacket: (_i, packet) => received.push(packet),
      onClose: () => {},
    });
    try {
      expect(playback.tracks.map((t) => t.encodingName)).toEqual(['H264']);
      await waitFor(() => (received.length >= 20 ? true : undefined), { timeoutMs: 10_000, description: '20 video packets' });
      expect(() => playback.stats(1)).toThrow(RangeError);
    } finally {
      await playback.teardown();
    }
    const all = await play('/pcmu', 'udp');
    try {
      expect(all.playback.tracks.map((t) => [t.encodingName, t.clockRateHz, t.channels, t.payloadType])).toEqual([
        ['H264', 90000, null, 96],
        ['PCMU', 8000, null, 0], // rtpmap `PCMU/8000` names no channels
      ]);
      await packetsOnEveryTrack(all.playback, all.received, 10);
    } finally {
      await all.playback.teardown();
    }
  }, 30_000);

  it(`sends keepalives well before the ${SESSION_TIMEOUT_SEC} s session timeout, and the session outlives it`, async () => {
    const from = server.events.length;
    const { playback, received } = await play('/h264aac', 'tcp');
    const startMs = performance.now();
    try {
      await waitFor(() => (eventsFor('/h264aac', from).filter((e) => e.event === 'request' && e.method === 'GET_PARAMETER').length >= 3 ? true : undefined), {
        timeoutMs: SESSION_TIMEOUT_SEC * 1000 * 2,
        description: 'three GET_PARAMETER keepalives',
      });
      const countAfterKeepalives = received.packets.length;
      await waitFor(() => (received.packets.length > countAfterKeepalives + 10 ? true : undefined), { timeoutMs: 3000, description: 'packets still flowing' });
      expect(performance.now() - startMs).toBeGreaterThan(SESSION_TIMEOUT_SEC * 1000);
      expect(received.closes).toEqual([]);
    } finally {
      await playback.teardown();
    }
  }, 30_000);
});

describe('playRtsp stopping', () => {
  it('tears down when the signal aborts after PLAY', async () => {
    const from = server.events.length;
    const controller = new AbortController();
    const closes: (Error | null)[] = [];
    let packets = 0;
    await playRtsp(server.url('/h264aac'), { signal: controller.signal, onPacket: () => (packets += 1), onClose: (e) => closes.push(e) });
    await waitFor(() => (packets >= 10 ? true : undefined), { timeoutMs: 10_000, description: '10 packets' });
    controller.abort();
    await waitFor(() => (closes.length > 0 ? true : undefined), { timeoutMs: 5000, description: 'onClose' });
    expect(closes).toEqual([null]);
    await waitFor(() => (eventsFor('/h264aac', from).some((e) => e.event === 'request' && e.method === 'TEARDOWN') ? true : undefined), { timeoutMs: 3000, description: 'TEARDOWN at the server' });
  }, 30_000);
});
