/**
 * Starts and stops the test RTSP server (relay/tests/fixtures/rtsp-server.py: GStreamer's
 * gst-rtsp-server run by Debian's /usr/bin/python3), and collects the events it prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../../tests/helpers/poll.ts';
import { NEED_MORE_DATA, RtspMessageParser, headerValue, type RtspRequestFromServer } from '../../src/rtsp/message-parser.ts';

/** Mounts the fixture serves; see its docstring. */
export type RtspMount = '/h264aac' | '/h265' | '/secure' | '/pcmu';

/** Options of {@link startRtspServer}. */
export interface RtspServerOptions {
  /** Mounts to serve. With `/secure`, every mount needs Digest authentication. Defaults to `/h264aac`. */
  mounts?: RtspMount[];
  /** User name and password of `/secure`. Default `user` / `secret`. */
  user?: string;
  password?: string;
  /** Session timeout the server announces (Session `timeout=`) and enforces, in seconds. Defaults to 60. */
  sessionTimeoutSec?: number;
  /** Longest wait for the ready line, in ms. Defaults to 20000. */
  startTimeoutMs?: number;
}

/** One line the server printed: an RTSP request it got, an RTCP packet it received, a client gone. */
export type RtspServerEvent =
  | { event: 'request'; method: string; path: string | null }
  | { event: 'rtcp'; path: string; stream: number; types: number[]; reportBlocks: RtspServerReportBlock[] }
  | { event: 'client-closed' };

/** A report block of an RTCP receiver report the server received (RFC 3550 section 6.4.2). */
export interface RtspServerReportBlock {
  ssrc: number;
  fractionLost: number;
  cumulativeLost: number;
  extendedHighestSequence: number;
  jitter: number;
}

/** A running test RTSP server on 127.0.0.1. */
export interface RtspTestServer {
  port: number;
  /** `rtsp://127.0.0.1:<port><mount>`. */
  url(mount: RtspMount, credentials?: { user: string; password: string }): string;
  /** Events so far, in order. */
  events: RtspServerEvent[];
  /** Stops the server (SIGTERM, then SIGKILL after 3 s). Safe to call twice; never rejects. */
  stop(): Promise<void>;
}

const FIXTURE = fileURLToPath(new URL('../fixtures/rtsp-server.py', import.meta.url));
const KILL_GRACE_MS = 3000;
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/**
 * Spawns the fixture with an OS-assigned port and resolves when it printed `READY <port>`.
 * @throws Error with the tail of its stderr when it exits first or is not ready within
 *   `startTimeoutMs` (the process is killed first).
 */
export async function startRtspServer(options: RtspServerOptions = {}): Promise<RtspTestServer> {
  const args = [
    FIXTURE,
    '--port', '0',
    '--mounts', (options.mounts ?? ['/h264aac']).join(','),
    '--user', options.user ?? 'user',
    '--password', options.password ?? 'secret',
    '--session-timeout-sec', String(options.sessionTimeoutSec ?? 60),
  ];
  const child = spawn('/usr/bin/python3', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stderrTail = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    stderrTail = (stderrTail + text).slice(-4000);
  });
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    children.delete(child);
    resolve();
  }));
  const events: RtspServerEvent[] = [];
  let port: number | null = null;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const ready = /^READY (\d+)$/.exec(line);
    if (ready) port = Number(ready[1]);
    else if (line.startsWith('{')) events.push(JSON.parse(line) as RtspServerEvent);
  });
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      await exitPromise;
      clearTimeout(timer);
    }
  };
  try {
    const readyPort = await waitFor(() => {
      if (exited) throw new Error(`rtsp-server.py exited before it was ready: ${stderrTail}`);
      return port ?? undefined;
    }, { timeoutMs: options.startTimeoutMs ?? 20_000, intervalMs: 25, description: 'rtsp-server.py to print READY' });
    return {
      port: readyPort,
      url(mount, credentials) {
        const auth = credentials ? `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@` : '';
        return `rtsp://${auth}127.0.0.1:${readyPort}${mount}`;
      },
      events,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** What a scripted server answers to one request. */
export interface ScriptedReply {
  /** Status code and reason, e.g. `200 OK`. */
  status: string;
  /** Headers; an array value sends the header once per element. CSeq is added. */
  headers?: Record<string, string | string[]>;
  body?: string;
}

/** A scripted RTSP server on 127.0.0.1: for what the GStreamer fixture cannot do (redirects, Basic, Digest SHA-256 with qop, silence, broken answers). */
export interface ScriptedRtspServer {
  port: number;
  /** `rtsp://[user:password@]127.0.0.1:<port><path>`, credentials percent-encoded. */
  url(path: string, user?: string, password?: string): string;
  /** Requests received, in order. */
  requests: RtspRequestFromServer[];
  /** Open client connections, to write raw bytes (e.g. interleaved frames) to. */
  sockets: Set<Socket>;
  /** Closes the server and every connection. */
  stop(): Promise<void>;
}

/**
 * Starts a TCP server that reads RTSP requests (with the client's own parser, which reads
 * requests too) and answers each with what `handler` returns: a reply, `'silence'` (no answer),
 * `'close'` (drop the connection) or raw bytes (a string sent as it is).
 */
export async function startScriptedRtspServer(
  handler: (request: RtspRequestFromServer, socket: Socket) => ScriptedReply | 'silence' | 'close' | { raw: string },
): Promise<ScriptedRtspServer> {
  const requests: RtspRequestFromServer[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const parser = new RtspMessageParser('scripted');
    socket.on('data', (chunk: Buffer) => {
      try {
        parser.push(chunk);
        for (let item = parser.next(); item !== NEED_MORE_DATA; item = parser.next()) {
          if (item.kind !== 'request') continue; // e.g. RTCP receiver reports
          requests.push(item);
          const reply = handler(item, socket);
          if (reply === 'silence') continue;
          if (reply === 'close') {
            socket.destroy();
            return;
          }
          if ('raw' in reply) {
            socket.write(reply.raw);
            continue;
          }
          const lines = [`RTSP/1.0 ${reply.status}`, `CSeq: ${headerValue(item.headers, 'cseq') ?? '0'}`];
          for (const [name, value] of Object.entries(reply.headers ?? {})) {
            for (const one of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${one}`);
          }
          const body = Buffer.from(reply.body ?? '', 'utf8');
          if (body.length > 0) lines.push(`Content-Length: ${body.length}`);
          socket.write(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), body]));
        }
      } catch {
        socket.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url(path, user, password) {
      const auth = user === undefined ? '' : `${encodeURIComponent(user)}${password === undefined ? '' : `:${encodeURIComponent(password)}`}@`;
      return `rtsp://${auth}127.0.0.1:${port}${path}`;
    },
    requests,
    sockets,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
