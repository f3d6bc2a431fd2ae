import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { bindUdpPortPair } from './udp-ports.ts';

/**
 * Sends `count` RTP-sized datagrams to `port` from a worker thread, then raises `flag[0]` and
 * waits; on the message 'marker' it sends one 1-byte datagram and exits.
 */
const BURST_SENDER = `
const { workerData, parentPort } = require('node:worker_threads');
const dgram = require('node:dgram');
const { port, count, flag } = workerData;
const socket = dgram.createSocket('udp4');
const payload = Buffer.alloc(1400, 7);
let sent = 0;
for (let i = 0; i < count; i += 1) {
  socket.send(payload, port, '127.0.0.1', () => {
    sent += 1;
    if (sent === count) {
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    }
  });
}
parentPort.on('message', () => socket.send(Buffer.of(1), port, '127.0.0.1', () => { socket.close(); parentPort.close(); }));
`;

describe('bindUdpPortPair', () => {
  it('binds RTP on an even port and RTCP on the next one', async () => {
    const pair = await bindUdpPortPair();
    try {
      expect(pair.rtpPort % 2).toBe(0);
      expect(pair.rtp.address().port).toBe(pair.rtpPort);
      expect(pair.rtcp.address().port).toBe(pair.rtpPort + 1);
    } finally {
      pair.close();
    }
  });

  it('holds a 1.4 MB burst of RTP (a large key frame) that arrives while the relay is busy, losing no datagram', async () => {
    const pair = await bindUdpPortPair();
    const count = 1000;
    let received = 0;
    const marker = new Promise<void>((resolve) =>
      pair.rtp.on('message', (message: Buffer) => {
        if (message.length === 1) resolve();
        else received += 1;
      }),
    );
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(BURST_SENDER, { eval: true, workerData: { port: pair.rtpPort, count, flag } });
    try {
      // The relay's thread is busy (muxing, say) for the whole burst: only the socket's receive
      // buffer holds the datagrams until it reads again.
      expect(Atomics.wait(flag, 0, 0, 30_000)).not.toBe('timed-out');
      worker.postMessage('marker');
      await marker;
      const rmemMax = await readFile('/proc/sys/net/core/rmem_max', 'utf8').catch(() => 'unknown');
      expect(received, `datagrams kept with a ${pair.rtpReceiveBufferBytes}-byte receive buffer (net.core.rmem_max ${rmemMax.trim()})`).toBe(count);
    } finally {
      await worker.terminate();
      pair.close();
    }
  });
});
