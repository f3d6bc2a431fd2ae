/**
 * One RTSP control connection over TCP (RFC 2326 section 10): requests with CSeq, one at a
 * time, matched to their responses; interleaved frames handed on; requests from the server
 * answered. Auth headers and Session are added by the caller.
 */
import { connect, type Socket } from 'node:net';
import { RtspProtocolError, RtspTimeoutError, redactUrl } from './errors.ts';
import { NEED_MORE_DATA, RtspMessageParser, headerValue, type RtspParserLimits, type RtspResponse } from './message-parser.ts';

/** The User-Agent sent with every request. */
export const USER_AGENT = 'Tapedeck-relay/0.1';

/** Options of {@link openRtspConnection}. */
export interface RtspConnectionOptions {
  host: string;
  port: number;
  /** URL (no password) for error messages. */
  url: string;
  /** Longest wait for the TCP connection, in ms. */
  connectTimeoutMs: number;
  signal?: AbortSignal;
  limits?: RtspParserLimits;
}

/** A request to send. */
export interface RtspRequest {
  method: string;
  /** Request-URI without userinfo. */
  url: string;
  /** Extra headers; CSeq and User-Agent are added. */
  headers?: Record<string, string>;
  /** Longest wait for the response, in ms. */
  timeoutMs: number;
}

/** Listeners of an {@link RtspConnection}. */
export interface RtspConnectionEvents {
  /** An interleaved frame arrived (RFC 2326 section 10.12). */
  onFrame: (channel: number, payload: Uint8Array) => void;
  /** The connection ended: null when {@link RtspConnection.close} was called, else why. */
  onClose: (error: Error | null) => void;
}

/** See the module description. Create with {@link openRtspConnection}. */
export class RtspConnection {
  private cseq = 0;
  private readonly parser: RtspMessageParser;
  private pending: { cseq: number; method: string; url: string; resolve: (r: RtspResponse) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private events: RtspConnectionEvents = { onFrame: () => {}, onClose: () => {} };

  constructor(
    private readonly socket: Socket,
    private readonly url: string,
    limits: RtspParserLimits = {},
  ) {
    this.parser = new RtspMessageParser(redactUrl(url), limits);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(new RtspProtocolError(`Connection to ${redactUrl(url)} failed: ${error.message}`, url, { cause: error })));
    socket.on('close', () => this.fail(new RtspProtocolError(`The camera at ${redactUrl(url)} closed the connection`, url)));
  }

  /** Address of the server as connected (for UDP source checks). */
  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  /** True once closed or failed. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Sets the listeners (replacing earlier ones). */
  listen(events: RtspConnectionEvents): void {
    this.events = events;
  }

  /**
   * Sends a request and resolves with its response, whatever its status. Requests are sent
   * one after another, never two at once.
   * @throws RtspTimeoutError when no response comes within `timeoutMs`; RtspProtocolError when
   *   the connection is closed or fails, or the server breaks the protocol.
   */
  request(request: RtspRequest): Promise<RtspResponse> {
    const run = () => this.send(request);
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Sends an interleaved frame (e.g. an RTCP receiver report) on `channel`; ignored once closed. */
  sendFrame(channel: number, payload: Uint8Array): void {
    if (this.closed || payload.length > 0xffff) return;
    const header = Buffer.from([0x24, channel & 0xff, payload.length >> 8, payload.length & 0xff]);
    this.socket.write(Buffer.concat([header, payload]));
  }

  /** Closes the socket; pending requests reject; onClose(null). Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.rejectPending(new RtspProtocolError(`Connection to ${redactUrl(this.url)} closed`, this.url));
    this.socket.destroy();
    this.events.onClose(null);
  }

  private send(request: RtspRequest): Promise<RtspResponse> {
    if (this.closed) {
      return Promise.reject(new RtspProtocolError(`Connection to ${redactUrl(this.url)} is closed`, this.url));
    }
    this.cseq += 1;
    const cseq = this.cseq;
    const lines = [`${request.method} ${request.url} RTSP/1.0`, `CSeq: ${cseq}`, `User-Agent: ${USER_AGENT}`];
    for (const [name, value] of Object.entries(request.headers ?? {})) lines.push(`${name}: ${value}`);
    const text = `${lines.join('\r\n')}\r\n\r\n`;
    return new Promise<RtspResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = null;
        reject(new RtspTimeoutError('response', request.timeoutMs, request.url, request.method));
      }, request.timeoutMs);
      this.pending = { cseq, method: request.method, url: request.url, resolve, reject, timer };
      this.socket.write(text);
    });
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    try {
      this.parser.push(chunk);
      for (let item = this.parser.next(); item !== NEED_MORE_DATA; item = this.parser.next()) {
        if (item.kind === 'interleaved') {
          this.events.onFrame(item.channel, item.payload);
        } else if (item.kind === 'response') {
          this.onResponse(item);
        } else {
          // A request from the server (RFC 2326 section 10; RFC 7826 PLAY_NOTIFY): answer so it
          // does not wait; nothing it can ask needs more than an acknowledgement here.
          const cseq = headerValue(item.headers, 'cseq') ?? '0';
          const status = item.method === 'OPTIONS' || item.method === 'GET_PARAMETER' || item.method === 'PLAY_NOTIFY' ? '200 OK' : '501 Not Implemented';
          this.socket.write(`${item.version} ${status}\r\nCSeq: ${cseq}\r\nUser-Agent: ${USER_AGENT}\r\n\r\n`);
        }
        if (this.closed) return;
      }
    } catch (error) {
      this.fail(error instanceof Error ? error : new RtspProtocolError(String(error), this.url));
    }
  }

  private onResponse(response: RtspResponse): void {
    const pending = this.pending;
    if (!pending) return; // A late answer to a request that timed out.
    const cseq = Number(headerValue(response.headers, 'cseq'));
    if (headerValue(response.headers, 'cseq') !== null && cseq !== pending.cseq) return; // Not ours (late).
    this.pending = null;
    clearTimeout(pending.timer);
    pending.resolve(response);
  }

  private rejectPending(error: Error): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    clearTimeout(pending.timer);
    pending.reject(error);
  }

  private fail(error: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.rejectPending(error);
    this.socket.destroy();
    this.events.onClose(error);
  }
}

/**
 * Opens the TCP connection to an RTSP server.
 * @throws RtspTimeoutError (`connect`) when it does not connect within `connectTimeoutMs`;
 *   RtspProtocolError when it is refused or fails; the signal's reason when aborted.
 */
export function openRtspConnection(options: RtspConnectionOptions): Promise<RtspConnection> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(options.signal.reason);
      return;
    }
    const socket = connect({ host: options.host, port: options.port });
    socket.setNoDelay(true);
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('error', onError);
      options.signal?.removeEventListener('abort', onAbort);
    };
    const onConnect = () => {
      cleanup();
      resolve(new RtspConnection(socket, options.url, options.limits));
    };
    const onError = (error: Error) => {
      cleanup();
      socket.destroy();
      reject(new RtspProtocolError(`Could not connect to ${redactUrl(options.url)}: ${error.message}`, options.url, { cause: error }));
    };
    const onAbort = () => {
      cleanup();
      socket.destroy();
      reject(options.signal!.reason);
    };
    const timer = setTimeout(() => {
      cleanup();
      socket.destroy();
      reject(new RtspTimeoutError('connect', options.connectTimeoutMs, options.url));
    }, options.connectTimeoutMs);
    socket.once('connect', onConnect);
    socket.once('error', onError);
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
