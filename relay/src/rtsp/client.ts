/**
 * The RTSP client (RFC 2326; RTSP/2.0 answers of RFC 7826 are read too): OPTIONS, DESCRIBE,
 * SETUP (TCP interleaved by default, UDP on request), PLAY, keepalive, RTCP receiver reports,
 * TEARDOWN. Authentication, redirects and media reception are in their own modules.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { RtpPacket, RtspPlayback, RtspPlayOptions, RtspTrack } from './types.ts';
import { RtspAuthError, RtspProtocolError, RtspStatusError, RtspTimeoutError, redactUrl } from './errors.ts';
import { chooseAuthenticator, isStaleChallenge, parseChallenges, type Authenticator } from './auth.ts';
import { openRtspConnection, type RtspConnection } from './connection.ts';
import { headerValue, headerValues, type RtspResponse } from './message-parser.ts';
import { parsePublicHeader, parseSessionHeader, parseTransportReply, transportRequestHeader, type SessionHeader } from './headers.ts';
import { aggregateControlUrl, tracksFromSdp } from './sdp.ts';
import { TrackReceiver } from './track-receiver.ts';
import { bindUdpPortPair, type UdpPortPair } from './udp-ports.ts';
import { describeBaseUrl, parseRtspUrl, type RtspTarget } from './url.ts';

/** Tuning of {@link playRtsp} beyond {@link RtspPlayOptions}; every field has a default. */
export interface RtspClientTuning {
  /** Most 3xx redirects followed. Defaults to 5. */
  maxRedirects?: number;
  /** Interval of RTCP receiver reports, in ms (RFC 3550 section 6.2 suggests about 5 s). Defaults to 5000. */
  receiverReportIntervalMs?: number;
  /** Keepalive interval in ms; defaults to half the session timeout (Session `timeout=`, 60 s when absent). */
  keepaliveIntervalMs?: number;
  /**
   * No RTP packet of the followed SSRC on the video track (on any track when there is no video)
   * for this long ends the session with RtspTimeoutError (`media`), in ms. Defaults to 10000.
   */
  mediaTimeoutMs?: number;
  /** Reorder window, in packets. Defaults to 64. */
  reorderWindowPackets?: number;
  /** Longest wait for a missing packet, in ms. Defaults to 200. */
  reorderMaxDelayMs?: number;
}

/** Defaults of {@link RtspPlayOptions} and {@link RtspClientTuning}, with their units. */
export const RTSP_CLIENT_DEFAULTS = {
  requestTimeoutMs: 10_000,
  maxRedirects: 5,
  receiverReportIntervalMs: 5_000,
  mediaTimeoutMs: 10_000,
  reorderWindowPackets: 64,
  reorderMaxDelayMs: 200,
} as const;

/** Where a set-up track's packets travel. */
type TrackTransport =
  | { kind: 'tcp'; rtpChannel: number; rtcpChannel: number }
  | { kind: 'udp'; ports: UdpPortPair; serverHost: string; serverRtcpPort: number | null };

interface SetUpTrack {
  track: RtspTrack;
  transport: TrackTransport;
  receiver: TrackReceiver;
}

/**
 * Connects to an RTSP camera and plays it: OPTIONS, DESCRIBE (following up to `maxRedirects`
 * 3xx), SETUP of every selected track, PLAY. Resolves once PLAY succeeded; packets then flow
 * to `onPacket` in sequence order, and `onClose` says when and why the session ends.
 *
 * Credentials come from the URL's userinfo (`rtsp://user:password@host/path`) and are sent only
 * after a 401 (Basic or Digest, RFC 7616). Nothing thrown or logged holds the password.
 *
 * @param url `rtsp://[user[:password]@]host[:port]/path`.
 * @throws RtspAuthError when the camera wants credentials the URL lacks, refuses them, or asks
 *   for a scheme this client does not speak; RtspStatusError for any other non-2xx answer
 *   (e.g. 404 for a wrong path, 461 when the transport is refused); RtspTimeoutError when the
 *   connection or an answer does not come within `requestTimeoutMs`; RtspProtocolError for a
 *   refused or lost connection, a malformed answer, no usable track, too many redirects; the
 *   signal's reason when aborted before PLAY succeeded. Everything opened is closed first.
 */
export async function playRtsp(url: string, options: RtspPlayOptions & RtspClientTuning): Promise<RtspPlayback> {
  const requestTimeoutMs = options.requestTimeoutMs ?? RTSP_CLIENT_DEFAULTS.requestTimeoutMs;
  const maxRedirects = options.maxRedirects ?? RTSP_CLIENT_DEFAULTS.maxRedirects;
  let target = parseRtspUrl(url);
  for (let hop = 0; ; hop += 1) {
    const session = new RtspSession(target, options, requestTimeoutMs);
    try {
      const redirect = await session.start();
      if (redirect === null) return session.playback();
      if (hop >= maxRedirects) {
        throw new RtspProtocolError(`Too many redirects (more than ${maxRedirects}) from ${redactUrl(url)}`, url);
      }
      target = redirectTarget(target, redirect);
    } catch (error) {
      session.abandon();
      throw error;
    }
  }
}

/** The next hop of a redirect; credentials are kept only for the same host and port. */
function redirectTarget(from: RtspTarget, location: string): RtspTarget {
  let next: RtspTarget;
  try {
    next = parseRtspUrl(new URL(location, from.url).href);
  } catch (error) {
    throw new RtspProtocolError(`Redirect to an unusable Location from ${from.url}`, from.url, { cause: error });
  }
  if (next.user === null && next.host === from.host && next.port === from.port) {
    return { ...next, user: from.user, password: from.password };
  }
  return next;
}

/** One connection's attempt at a session; see {@link playRtsp}. */
class RtspSession {
  private connection: RtspConnection | null = null;
  private authenticator: Authenticator | null = null;
  private sessionHeader: SessionHeader | null = null;
  private publicMethods = new Set<string>();
  private readonly setUp: SetUpTrack[] = [];
  private aggregateUrl = '';
  private readonly timers: NodeJS.Timeout[] = [];
  private state: 'starting' | 'playing' | 'closing' | 'closed' = 'starting';
  private closePromise: Promise<void> | null = null;
  private readonly reporterSsrc = randomBytes(4).readUInt32BE(0);
  private readonly cname = `tapedeck-relay@${hostname()}`;
  private lastMediaMs = performance.now();
  private readonly onAbort = () => {
    if (this.state === 'playing') void this.teardown();
  };

  constructor(
    private readonly target: RtspTarget,
    private readonly options: RtspPlayOptions & RtspClientTuning,
    private readonly requestTimeoutMs: number,
  ) {}

  /** Runs OPTIONS to PLAY; returns a redirect Location, or null when playing. */
  async start(): Promise<string | null> {
    const { options } = this;
    await this.connect();
    // Every step races the signal; the listener goes when start() ends, so that a signal shared
    // by many sessions (reconnects) does not collect listeners.
    let stopListening = () => {};
    const abortPromise = new Promise<never>((_, reject) => {
      const signal = options.signal;
      if (!signal) return;
      const onAbort = () => reject(signal.reason);
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        stopListening = () => signal.removeEventListener('abort', onAbort);
      }
    });
    abortPromise.catch(() => undefined);
    const step = <T>(promise: Promise<T>) => Promise.race([promise, abortPromise]);
    try {
      return await this.negotiate(step);
    } finally {
      stopListening();
    }
  }

  /** OPTIONS to PLAY, each step raced against the abort signal by `step`. */
  private async negotiate(step: <T>(promise: Promise<T>) => Promise<T>): Promise<string | null> {
    const { target, options } = this;
    const optionsAnswer = await step(this.send('OPTIONS', target.url, {}));
    if (isRedirect(optionsAnswer)) return this.redirectLocation(optionsAnswer, 'OPTIONS');
    if (isSuccess(optionsAnswer)) this.publicMethods = parsePublicHeader(headerValue(optionsAnswer.headers, 'public'));

    const describe = await step(this.send('DESCRIBE', target.url, { Accept: 'application/sdp' }));
    if (isRedirect(describe)) return this.redirectLocation(describe, 'DESCRIBE');
    this.expectSuccess(describe, 'DESCRIBE', target.url);
    const sdpText = new TextDecoder().decode(describe.body);
    const baseUrl = describeBaseUrl(target.url, headerValue(describe.headers, 'content-base'), headerValue(describe.headers, 'content-location'));
    const allTracks = tracksFromSdp(sdpText, baseUrl);
    this.aggregateUrl = aggregateControlUrl(sdpText, baseUrl);
    const chosen = options.selectTracks ? options.selectTracks(allTracks) : allTracks;
    if (chosen.length === 0) throw new RtspProtocolError(`No track of ${target.url} was selected`, target.url);

    for (const track of chosen) await step(this.setupTrack(track));

    const play = await step(this.send('PLAY', this.aggregateUrl, { Range: 'npt=0.000-' }));
    this.expectSuccess(play, 'PLAY', this.aggregateUrl);
    this.state = 'playing';
    this.startTimers();
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
    return null;
  }

  /** Opens (or, after a camera closed it, reopens) the control connection. */
  private async connect(): Promise<void> {
    this.connection?.close();
    this.connection = await openRtspConnection({
      host: this.target.host,
      port: this.target.port,
      url: this.target.url,
      connectTimeoutMs: this.requestTimeoutMs,
      signal: this.options.signal,
    });
    this.connection.listen({ onFrame: (channel, payload) => this.onFrame(channel, payload), onClose: (error) => this.onConnectionClose(error) });
  }

  /** The public face of a playing session. */
  playback(): RtspPlayback {
    return {
      tracks: this.setUp.map((s) => s.track),
      stats: (trackIndex) => this.trackAt(trackIndex).receiver.stats(),
      wallClockMs: (trackIndex, rtpTimestamp) => this.trackAt(trackIndex).receiver.wallClockMs(rtpTimestamp),
      teardown: () => this.teardown(),
    };
  }

  /** Closes everything without TEARDOWN (start failed); never calls onClose. */
  abandon(): void {
    this.state = 'closed';
    this.release();
  }

  private trackAt(trackIndex: number): SetUpTrack {
    const entry = this.setUp[trackIndex];
    if (!entry) throw new RangeError(`No track ${trackIndex}; ${this.setUp.length} were set up`);
    return entry;
  }

  private async setupTrack(track: RtspTrack): Promise<void> {
    const index = this.setUp.length;
    const udp = this.options.transport === 'udp';
    const ports = udp ? await bindUdpPortPair() : null;
    if (this.state === 'closed') {
      // Stopped while the ports were being bound: release() has run and would not see them.
      ports?.close();
      throw new RtspProtocolError(`The session with ${redactUrl(this.target.url)} was closed while a track was being set up`, this.target.url);
    }
    const entry: SetUpTrack = {
      track,
      transport: ports
        ? { kind: 'udp', ports, serverHost: this.target.host, serverRtcpPort: null }
        : { kind: 'tcp', rtpChannel: index * 2, rtcpChannel: index * 2 + 1 },
      receiver: new TrackReceiver({
        track,
        expectedSsrc: null,
        reorderWindowPackets: this.options.reorderWindowPackets ?? RTSP_CLIENT_DEFAULTS.reorderWindowPackets,
        reorderMaxDelayMs: this.options.reorderMaxDelayMs ?? RTSP_CLIENT_DEFAULTS.reorderMaxDelayMs,
        onPacket: (packet: RtpPacket) => this.options.onPacket(index, packet),
      }),
    };
    // Pushed first, so that the sockets are closed if SETUP fails.
    this.setUp.push(entry);
    const transportHeader = transportRequestHeader(ports ? { kind: 'udp', rtpPort: ports.rtpPort } : { kind: 'tcp', rtpChannel: index * 2 });
    const answer = await this.send('SETUP', track.controlUrl, { Transport: transportHeader });
    this.expectSuccess(answer, 'SETUP', track.controlUrl);
    const sessionText = headerValue(answer.headers, 'session');
    const session = sessionText === null ? null : parseSessionHeader(sessionText);
    if (session === null && this.sessionHeader === null) {
      throw new RtspProtocolError(`The SETUP answer from ${redactUrl(track.controlUrl)} has no Session header`, track.controlUrl);
    }
    if (session !== null && this.sessionHeader === null) this.sessionHeader = session;
    const reply = parseTransportReply(headerValue(answer.headers, 'transport') ?? '');
    if (reply.ssrc !== null) entry.receiver.expectedSsrc = reply.ssrc;
    if (entry.transport.kind === 'tcp') {
      if (reply.serverPorts !== null && reply.interleaved === null) {
        throw new RtspProtocolError(`The camera at ${redactUrl(track.controlUrl)} answered TCP interleaved SETUP with UDP ports`, track.controlUrl);
      }
      if (reply.interleaved) {
        entry.transport.rtpChannel = reply.interleaved[0];
        entry.transport.rtcpChannel = reply.interleaved[1];
      }
    } else {
      if (reply.interleaved !== null) {
        throw new RtspProtocolError(`The camera at ${redactUrl(track.controlUrl)} answered UDP SETUP with TCP interleaving`, track.controlUrl);
      }
      entry.transport.serverRtcpPort = reply.serverPorts?.[1] ?? null;
      if (reply.source) entry.transport.serverHost = reply.source;
      this.listenUdp(entry, entry.transport);
    }
  }

  private listenUdp(entry: SetUpTrack, transport: Extract<TrackTransport, { kind: 'udp' }>): void {
    const allowed = new Set([normalizeAddress(this.connection?.remoteAddress ?? ''), normalizeAddress(transport.serverHost)]);
    const guard = (handler: (bytes: Uint8Array) => void) => (message: Buffer, rinfo: { address: string }) => {
      if (this.state === 'closed' || !allowed.has(normalizeAddress(rinfo.address))) return;
      try {
        handler(new Uint8Array(message.buffer, message.byteOffset, message.byteLength));
      } catch (error) {
        this.fail(error instanceof Error ? error : new Error(String(error)));
      }
    };
    transport.ports.rtp.on('message', guard((bytes) => this.onRtp(entry, bytes)));
    transport.ports.rtcp.on('message', guard((bytes) => this.onRtcp(entry, bytes)));
  }

  private onFrame(channel: number, payload: Uint8Array): void {
    for (const entry of this.setUp) {
      if (entry.transport.kind !== 'tcp') continue;
      if (channel === entry.transport.rtpChannel) {
        this.onRtp(entry, payload);
        return;
      }
      if (channel === entry.transport.rtcpChannel) {
        this.onRtcp(entry, payload);
        return;
      }
    }
  }

  /**
   * Hands an RTP packet to its track. Only media the track takes (its source's SSRC) keeps the
   * session alive, and only the video's when video is set up: a camera whose SSRC changed, or
   * whose video stopped while its audio goes on, times out (`mediaTimeoutMs`) and is
   * reconnected, rather than showing live with nothing recorded.
   */
  private onRtp(entry: SetUpTrack, bytes: Uint8Array): void {
    if (!entry.receiver.onRtp(bytes)) return;
    if (this.keepsSessionAlive(entry)) this.lastMediaMs = performance.now();
  }

  /**
   * Hands an RTCP packet to its track. A BYE from the source followed on the video track (any
   * track when there is no video) ends the session at once (RFC 3550 section 6.6): waiting for
   * the media timeout would only lengthen the gap before the reconnect.
   */
  private onRtcp(entry: SetUpTrack, bytes: Uint8Array): void {
    entry.receiver.onRtcp(bytes);
    if (entry.receiver.byeReceived && this.keepsSessionAlive(entry)) {
      this.fail(new RtspProtocolError(`The camera at ${this.target.url} ended the stream (RTCP BYE)`, this.target.url));
    }
  }

  /** Whether media of `entry` keeps the session alive: the video track's, or any when there is no video. */
  private keepsSessionAlive(entry: SetUpTrack): boolean {
    return entry.track.mediaType === 'video' || !this.setUp.some((other) => other.track.mediaType === 'video');
  }

  private startTimers(): void {
    const tuning = this.options;
    const timeoutSec = this.sessionHeader?.timeoutSec ?? 60;
    const keepaliveMs = tuning.keepaliveIntervalMs ?? Math.max(1000, (timeoutSec * 1000) / 2);
    const rrMs = tuning.receiverReportIntervalMs ?? RTSP_CLIENT_DEFAULTS.receiverReportIntervalMs;
    const mediaTimeoutMs = tuning.mediaTimeoutMs ?? RTSP_CLIENT_DEFAULTS.mediaTimeoutMs;
    this.lastMediaMs = performance.now();
    this.timers.push(setInterval(() => void this.keepalive(), keepaliveMs));
    this.timers.push(setInterval(() => this.sendReceiverReports(), rrMs));
    const reorderMs = Math.max(10, (tuning.reorderMaxDelayMs ?? RTSP_CLIENT_DEFAULTS.reorderMaxDelayMs) / 2);
    this.timers.push(setInterval(() => {
      for (const entry of this.setUp) entry.receiver.flushDue();
      if (performance.now() - this.lastMediaMs > mediaTimeoutMs) {
        this.fail(new RtspTimeoutError('media', mediaTimeoutMs, this.target.url));
      }
    }, Math.min(reorderMs, 1000)));
  }

  private async keepalive(): Promise<void> {
    if (this.state !== 'playing') return;
    const method = this.publicMethods.has('GET_PARAMETER') ? 'GET_PARAMETER' : 'OPTIONS';
    try {
      const answer = await this.send(method, method === 'OPTIONS' ? this.target.url : this.aggregateUrl, {});
      if (this.state !== 'playing') return;
      // 454 Session Not Found: the camera forgot the session; anything else non-2xx is tolerated.
      if (answer.statusCode === 454) this.fail(new RtspStatusError(answer.statusCode, answer.reason, method, this.aggregateUrl));
    } catch (error) {
      if (this.state === 'playing') this.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private sendReceiverReports(): void {
    if (this.state !== 'playing') return;
    for (const entry of this.setUp) {
      const report = entry.receiver.receiverReport(this.reporterSsrc, this.cname);
      const transport = entry.transport;
      if (transport.kind === 'tcp') {
        this.connection?.sendFrame(transport.rtcpChannel, report);
      } else if (transport.serverRtcpPort !== null) {
        transport.ports.rtcp.send(report, transport.serverRtcpPort, transport.serverHost);
      }
    }
  }

  /**
   * Sends a request with Session and Authorization; answers one 401 with credentials. A 401 to
   * credentials already accepted counts as a refusal unless its challenge is `stale=true` or
   * brings a new nonce: cameras whose nonces expire send a new one without the flag, and the
   * request is then tried once more with it.
   */
  private async send(method: string, url: string, headers: Record<string, string>): Promise<RtspResponse> {
    const connection = this.connection;
    if (!connection) throw new RtspProtocolError('Not connected', url);
    const withAuth = (): Record<string, string> => {
      const all: Record<string, string> = { ...headers };
      if (this.sessionHeader) all.Session = this.sessionHeader.id;
      if (this.authenticator) all.Authorization = this.authenticator.authorization({ method, uri: url });
      return all;
    };
    const previous = this.authenticator;
    const answer = await connection.request({ method, url, headers: withAuth(), timeoutMs: this.requestTimeoutMs });
    if (answer.statusCode !== 401) return answer;
    const challenges = parseChallenges(headerValues(answer.headers, 'www-authenticate'));
    const { user, password } = this.target;
    if (user === null) throw new RtspAuthError('credentials-missing', this.target.url, null);
    const newNonce = challenges.some((challenge) => challenge.scheme === 'digest' && challenge.params.nonce !== undefined && challenge.params.nonce !== previous?.nonce);
    if (previous !== null && !isStaleChallenge(challenges) && !newNonce) throw new RtspAuthError('credentials-rejected', this.target.url, user);
    this.authenticator = chooseAuthenticator(challenges, user, password ?? '');
    if (this.authenticator === null) {
      throw new RtspAuthError('unsupported-scheme', this.target.url, user, challenges.map((c) => c.scheme).join(', ') || 'no challenge');
    }
    // Some cameras close the connection after a 401 (`Connection: close`): before SETUP nothing
    // is bound to it, so open a new one for the retry.
    let retryConnection = connection;
    if (this.sessionHeader === null && (connection.isClosed || /\bclose\b/i.test(headerValue(answer.headers, 'connection') ?? ''))) {
      await this.connect();
      retryConnection = this.connection!;
    }
    const retry = await retryConnection.request({ method, url, headers: withAuth(), timeoutMs: this.requestTimeoutMs });
    if (retry.statusCode === 401) throw new RtspAuthError('credentials-rejected', this.target.url, user);
    return retry;
  }

  private expectSuccess(answer: RtspResponse, method: string, url: string): void {
    if (!isSuccess(answer)) throw new RtspStatusError(answer.statusCode, answer.reason, method, url);
  }

  private redirectLocation(answer: RtspResponse, method: string): string {
    const location = headerValue(answer.headers, 'location');
    if (!location) throw new RtspStatusError(answer.statusCode, `${answer.reason} (redirect without Location)`, method, this.target.url);
    this.connection?.close();
    return location;
  }

  private onConnectionClose(error: Error | null): void {
    if (this.state === 'playing' && error) this.fail(error);
  }

  private fail(error: Error): void {
    if (this.state !== 'playing') return;
    this.state = 'closed';
    this.release();
    this.options.onClose(error);
  }

  private teardown(): Promise<void> {
    if (this.closePromise) return this.closePromise;
    this.closePromise = (async () => {
      if (this.state !== 'playing') return;
      this.state = 'closing';
      for (const timer of this.timers) clearInterval(timer);
      try {
        await this.send('TEARDOWN', this.aggregateUrl, {});
      } catch {
        // The session ends either way; a camera that does not answer TEARDOWN times it out.
      }
      for (const entry of this.setUp) entry.receiver.flush();
      this.state = 'closed';
      this.release();
      this.options.onClose(null);
    })();
    return this.closePromise;
  }

  private release(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers.length = 0;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.connection?.close();
    for (const entry of this.setUp) if (entry.transport.kind === 'udp') entry.transport.ports.close();
  }
}

function isSuccess(answer: RtspResponse): boolean {
  return answer.statusCode >= 200 && answer.statusCode < 300;
}

function isRedirect(answer: RtspResponse): boolean {
  return answer.statusCode >= 300 && answer.statusCode < 400 && answer.statusCode !== 304;
}

function normalizeAddress(address: string): string {
  return address.replace(/^::ffff:/i, '');
}
