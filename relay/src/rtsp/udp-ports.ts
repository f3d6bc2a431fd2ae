/**
 * A pair of UDP sockets for one track over RTP/AVP/UDP (RFC 3550 section 11: RTP on an even
 * port, RTCP on the next, odd, port; RFC 2326 section 12.39 `client_port`).
 */
import { createSocket, type Socket } from 'node:dgram';

/**
 * Receive buffer asked for on each RTP socket, in bytes: 4 MiB. A camera sends a key frame as a
 * burst of datagrams (a 4K one can be a megabyte or more), and whatever arrives while the relay
 * is busy waits in this buffer; the OS default (208 KiB on Linux) holds about 90 of them. Linux
 * grants at most `net.core.rmem_max` (then doubles it for its bookkeeping).
 */
export const RTP_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/** Bound RTP and RTCP sockets. */
export interface UdpPortPair {
  rtp: Socket;
  rtcp: Socket;
  /** Even port of `rtp`; `rtcp` is on `rtpPort + 1`. */
  rtpPort: number;
  /** Receive buffer the OS gave the RTP socket, in bytes (see {@link RTP_RECEIVE_BUFFER_BYTES}). */
  rtpReceiveBufferBytes: number;
  /** Closes both sockets. Safe to call twice. */
  close(): void;
}

/**
 * Binds an even/odd port pair on all IPv4 interfaces (`0.0.0.0`), letting the OS choose the
 * even port and trying again when the odd one is taken.
 * @param attempts Tries before giving up. Defaults to 20.
 * @param rtpReceiveBufferBytes Receive buffer to ask for on the RTP socket, in bytes.
 * @throws Error `No free UDP port pair after <n> tries` when none could be bound.
 */
export async function bindUdpPortPair(attempts = 20, rtpReceiveBufferBytes = RTP_RECEIVE_BUFFER_BYTES): Promise<UdpPortPair> {
  for (let i = 0; i < attempts; i += 1) {
    const rtp = await bind(0, rtpReceiveBufferBytes).catch(() => null);
    if (!rtp) continue;
    const port = rtp.address().port;
    if (port % 2 !== 0) {
      rtp.close();
      continue;
    }
    const rtcp = await bind(port + 1).catch(() => null);
    if (!rtcp) {
      rtp.close();
      continue;
    }
    let closed = false;
    return {
      rtp,
      rtcp,
      rtpPort: port,
      rtpReceiveBufferBytes: rtp.getRecvBufferSize(),
      close() {
        if (closed) return;
        closed = true;
        rtp.close();
        rtcp.close();
      },
    };
  }
  throw new Error(`No free UDP port pair after ${attempts} tries`);
}

function bind(port: number, receiveBufferBytes?: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    // Node sets the receive buffer once bound; Linux caps it silently.
    const socket = createSocket({ type: 'udp4', ...(receiveBufferBytes !== undefined && { recvBufferSize: receiveBufferBytes }) });
    socket.once('error', (error) => {
      socket.close();
      reject(error);
    });
    socket.bind(port, '0.0.0.0', () => {
      socket.removeAllListeners('error');
      // ICMP port-unreachable and the like must not crash the process; the owner may listen too.
      socket.on('error', () => {});
      resolve(socket);
    });
  });
}
