/**
 * Test and benchmark support: real RTP made by GStreamer (`gst-launch-1.0`), sent over UDP on
 * 127.0.0.1 to ports the OS assigns, and received here with node:dgram.
 */
import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import type { RtpPacket } from '../rtsp/types.ts';

/**
 * Parses an RTP packet (RFC 3550 section 5.1): skips CSRCs, the header extension (5.3.1) and
 * padding. For tests; the relay's own parser is in `rtp/packet.ts`.
 * @returns null when the datagram is not RTP version 2 or is too short.
 */
export function parseRtpDatagram(datagram: Uint8Array): RtpPacket | null {
  if (datagram.length < 12 || datagram[0]! >> 6 !== 2) return null;
  const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  let offset = 12 + 4 * (datagram[0]! & 0x0f);
  if ((datagram[0]! & 0x10) !== 0) {
    if (offset + 4 > datagram.length) return null;
    offset += 4 + 4 * view.getUint16(offset + 2);
  }
  let end = datagram.length;
  if ((datagram[0]! & 0x20) !== 0) end -= datagram[end - 1]!;
  if (offset > end) return null;
  return {
    payloadType: datagram[1]! & 0x7f,
    marker: (datagram[1]! & 0x80) !== 0,
    sequenceNumber: view.getUint16(2),
    timestamp: view.getUint32(4),
    ssrc: view.getUint32(8),
    payload: datagram.slice(offset, end),
  };
}

/** One RTP stream GStreamer sends: a pipeline fragment ending in a payloader. */
export interface GstRtpStreamSpec {
  /** e.g. `videotestsrc is-live=true num-buffers=100 ! x264enc ! rtph264pay config-interval=1 pt=96`. */
  pipeline: string;
}

/** A running GStreamer sender and the packets it delivered, by stream index. */
export interface GstRtpSender {
  /** Resolves when gst-launch exits (the sources reached num-buffers); rejects on a non-zero exit. */
  done: Promise<void>;
  /** Stops gst-launch (SIGTERM) and closes the sockets. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts `gst-launch-1.0` with each spec's pipeline ending in a udpsink to a port bound here,
 * and calls `onPacket(streamIndex, packet, arrivalMs)` for every RTP packet received.
 * @throws Error when gst-launch cannot start.
 */
export async function startGstRtpSender(specs: GstRtpStreamSpec[], onPacket: (streamIndex: number, packet: RtpPacket, arrivalMs: number) => void): Promise<GstRtpSender> {
  const sockets: Socket[] = [];
  for (const [index] of specs.entries()) {
    const socket = createSocket('udp4');
    socket.on('message', (message) => {
      const packet = parseRtpDatagram(message);
      if (packet !== null) onPacket(index, packet, Date.now());
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    socket.setRecvBufferSize(8 * 1024 * 1024);
    sockets.push(socket);
  }
  const args = specs.flatMap((spec, i) => [...spec.pipeline.split(/\s+/), '!', 'udpsink', 'host=127.0.0.1', `port=${sockets[i]!.address().port}`, 'sync=true']);
  const child = spawn('gst-launch-1.0', ['-q', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 || signal !== null ? resolve() : reject(new Error(`gst-launch-1.0 exited with ${code}: ${stderr}`))));
  });
  let stopped: Promise<void> | null = null;
  return {
    done,
    stop: () =>
      (stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await done.catch(() => undefined);
        for (const socket of sockets) socket.close();
      })()),
  };
}
