/**
 * RTSP header values the client writes and reads: Transport (RFC 2326 section 12.39), Session
 * (section 12.37) and Public (section 12.28).
 */

/** What SETUP asks for. */
export type TransportRequest =
  | { kind: 'tcp'; rtpChannel: number }
  | { kind: 'udp'; rtpPort: number };

/** What the server's Transport answer says. */
export interface TransportReply {
  /** `interleaved=a-b`: the RTP and RTCP channels, or null. */
  interleaved: [number, number] | null;
  /** `server_port=a-b`: the server's RTP and RTCP ports, or null. */
  serverPorts: [number, number] | null;
  /** `source=`: the address packets come from, or null. */
  source: string | null;
  /** `ssrc=` (hex), or null. */
  ssrc: number | null;
  /** True for a `RTP/AVP/TCP` lower transport. */
  tcp: boolean;
}

/** The Transport header value of a SETUP request. RTCP rides on channel / port + 1. */
export function transportRequestHeader(request: TransportRequest): string {
  return request.kind === 'tcp'
    ? `RTP/AVP/TCP;unicast;interleaved=${request.rtpChannel}-${request.rtpChannel + 1}`
    : `RTP/AVP;unicast;client_port=${request.rtpPort}-${request.rtpPort + 1}`;
}

/** Reads the first transport spec of a SETUP answer's Transport header. Never throws; unreadable parameters are null. */
export function parseTransportReply(value: string): TransportReply {
  const spec = value.split(',')[0] ?? '';
  const params = spec.split(';').map((p) => p.trim());
  const reply: TransportReply = { interleaved: null, serverPorts: null, source: null, ssrc: null, tcp: /\/TCP$/i.test(params[0] ?? '') };
  for (const param of params.slice(1)) {
    const eq = param.indexOf('=');
    const name = (eq === -1 ? param : param.slice(0, eq)).toLowerCase();
    const val = eq === -1 ? '' : param.slice(eq + 1).replace(/^"|"$/g, '');
    if (name === 'interleaved') reply.interleaved = pair(val, 255);
    else if (name === 'server_port') reply.serverPorts = pair(val, 65535);
    else if (name === 'source') reply.source = val || null;
    else if (name === 'ssrc' && /^[0-9a-f]{1,8}$/i.test(val)) reply.ssrc = parseInt(val, 16) >>> 0;
  }
  return reply;
}

/** A Session header (RFC 2326 section 12.37): id, and `timeout=` in seconds (default 60). */
export interface SessionHeader {
  id: string;
  timeoutSec: number;
}

/** Default session timeout when the Session header names none, in seconds (RFC 2326 section 12.37). */
export const DEFAULT_SESSION_TIMEOUT_SEC = 60;

/** Parses a Session header value; null when it has no id. */
export function parseSessionHeader(value: string): SessionHeader | null {
  const [idPart, ...params] = value.split(';');
  const id = (idPart ?? '').trim();
  if (id === '') return null;
  let timeoutSec = DEFAULT_SESSION_TIMEOUT_SEC;
  for (const param of params) {
    const match = /^\s*timeout\s*=\s*(\d+)\s*$/i.exec(param);
    if (match && Number(match[1]) > 0) timeoutSec = Number(match[1]);
  }
  return { id, timeoutSec };
}

/** Method names of a Public header (RFC 2326 section 12.28), upper case. */
export function parsePublicHeader(value: string | null): Set<string> {
  return new Set((value ?? '').split(',').map((m) => m.trim().toUpperCase()).filter((m) => m !== ''));
}

function pair(text: string, max: number): [number, number] | null {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  if (!match) return null;
  const first = Number(match[1]);
  const second = match[2] === undefined ? first + 1 : Number(match[2]);
  return first <= max && second <= max ? [first, second] : null;
}
