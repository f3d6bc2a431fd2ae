/**
 * Incremental parser of what an RTSP server sends on its TCP connection: responses, requests
 * from the server, and interleaved binary frames (`$`, channel, 16-bit length; RFC 2326
 * section 10.12), mixed in any order and split at any byte. "Need more data" is a value, not an
 * error; buffers are bounded (header block and body sizes are capped).
 */
import { RtspProtocolError } from './errors.ts';

/** One header line, name as sent. */
export type RtspHeader = readonly [name: string, value: string];

/** A response (RFC 2326 section 7; RFC 7826 section 8 for `RTSP/2.0`). */
export interface RtspResponse {
  kind: 'response';
  /** `RTSP/1.0` or `RTSP/2.0`. */
  version: string;
  statusCode: number;
  reason: string;
  headers: RtspHeader[];
  body: Uint8Array;
}

/** A request the server sends to the client (e.g. `GET_PARAMETER`, `ANNOUNCE`, `PLAY_NOTIFY`). */
export interface RtspRequestFromServer {
  kind: 'request';
  method: string;
  uri: string;
  version: string;
  headers: RtspHeader[];
  body: Uint8Array;
}

/** An interleaved binary frame: one RTP or RTCP packet on `channel` (RFC 2326 section 10.12). */
export interface InterleavedFrame {
  kind: 'interleaved';
  /** Channel 0 to 255, as chosen in SETUP's `interleaved=` parameter. */
  channel: number;
  /** Frame payload, a copy (up to 65535 bytes). */
  payload: Uint8Array;
}

/** Anything {@link RtspMessageParser.next} can give. */
export type RtspIncoming = RtspResponse | RtspRequestFromServer | InterleavedFrame;

/** Returned by {@link RtspMessageParser.next} when the buffered bytes hold no complete item. */
export const NEED_MORE_DATA = Symbol('need more data');

/** Limits of {@link RtspMessageParser}. */
export interface RtspParserLimits {
  /** Longest start line plus headers, in bytes, including the blank line. Defaults to 16384. */
  maxHeaderBytes?: number;
  /** Largest Content-Length accepted, in bytes. Defaults to 1048576. */
  maxBodyBytes?: number;
}

const CR = 0x0d;
const LF = 0x0a;
const DOLLAR = 0x24;
const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Push bytes as they arrive with {@link push}, then call {@link next} until it returns
 * {@link NEED_MORE_DATA}. The same bytes split anywhere give the same items.
 */
export class RtspMessageParser {
  private buffer: Uint8Array = new Uint8Array(0);
  private readonly maxHeaderBytes: number;
  private readonly maxBodyBytes: number;

  /**
   * @param url The connection's URL (without password), put into errors.
   * @throws RangeError on a limit that is not a positive integer.
   */
  constructor(
    private readonly url: string,
    limits: RtspParserLimits = {},
  ) {
    this.maxHeaderBytes = limits.maxHeaderBytes ?? 16_384;
    this.maxBodyBytes = limits.maxBodyBytes ?? 1_048_576;
    for (const [name, value] of [['maxHeaderBytes', this.maxHeaderBytes], ['maxBodyBytes', this.maxBodyBytes]] as const) {
      if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${value}`);
    }
  }

  /** Bytes held and not yet parsed. */
  get bufferedBytes(): number {
    return this.buffer.length;
  }

  /** Appends received bytes (not kept by reference). */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer, 0);
    joined.set(chunk, this.buffer.length);
    this.buffer = joined;
  }

  /**
   * The next complete item, or {@link NEED_MORE_DATA}. Empty lines between messages (CRLF
   * keepalives some servers send) are skipped.
   * @throws RtspProtocolError for a malformed start line, header or Content-Length, or a header
   *   block or body over the limits; the connection cannot be resynchronised after that.
   */
  next(): RtspIncoming | typeof NEED_MORE_DATA {
    let start = 0;
    while (start < this.buffer.length && (this.buffer[start] === CR || this.buffer[start] === LF)) start += 1;
    if (start > 0) this.buffer = this.buffer.subarray(start);
    if (this.buffer.length === 0) return NEED_MORE_DATA;
    if (this.buffer[0] === DOLLAR) return this.nextFrame();
    return this.nextMessage();
  }

  private nextFrame(): InterleavedFrame | typeof NEED_MORE_DATA {
    if (this.buffer.length < 4) return NEED_MORE_DATA;
    const channel = this.buffer[1]!;
    const length = (this.buffer[2]! << 8) | this.buffer[3]!;
    if (this.buffer.length < 4 + length) return NEED_MORE_DATA;
    const payload = this.buffer.slice(4, 4 + length);
    this.buffer = this.buffer.subarray(4 + length);
    return { kind: 'interleaved', channel, payload };
  }

  private nextMessage(): RtspResponse | RtspRequestFromServer | typeof NEED_MORE_DATA {
    const headerEnd = findHeaderEnd(this.buffer, this.maxHeaderBytes);
    if (headerEnd === -1) {
      // +3: the blank line found at the limit may still lack its last bytes.
      if (this.buffer.length > this.maxHeaderBytes + 3) {
        throw new RtspProtocolError(`RTSP header block over ${this.maxHeaderBytes} bytes`, this.url);
      }
      this.checkStartLinePrefix();
      return NEED_MORE_DATA;
    }
    const text = decoder.decode(this.buffer.subarray(0, headerEnd.end));
    const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
    // Refused as soon as its header block is here, not once its body has come too: split
    // anywhere, the same bytes fail at the same point (see checkStartLinePrefix).
    const start = parseStartLine(lines[0] ?? '', this.url);
    const headers: RtspHeader[] = [];
    for (const line of lines.slice(1)) {
      if (line === '') continue;
      if ((line.startsWith(' ') || line.startsWith('\t')) && headers.length > 0) {
        const last = headers[headers.length - 1]!;
        headers[headers.length - 1] = [last[0], `${last[1]} ${line.trim()}`];
        continue;
      }
      const colon = line.indexOf(':');
      if (colon <= 0) throw new RtspProtocolError(`Malformed RTSP header line "${clip(line)}"`, this.url);
      headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
    }
    const lengthText = headerValue(headers, 'content-length');
    let bodyBytes = 0;
    if (lengthText !== null) {
      if (!/^\d{1,10}$/.test(lengthText)) throw new RtspProtocolError(`Bad Content-Length "${clip(lengthText)}"`, this.url);
      bodyBytes = Number(lengthText);
      if (bodyBytes > this.maxBodyBytes) {
        throw new RtspProtocolError(`RTSP body of ${bodyBytes} bytes is over the ${this.maxBodyBytes}-byte limit`, this.url);
      }
    }
    const total = headerEnd.afterBlank + bodyBytes;
    if (this.buffer.length < total) return NEED_MORE_DATA;
    const body = this.buffer.slice(headerEnd.afterBlank, total);
    this.buffer = this.buffer.subarray(total);
    return { ...start, headers, body };
  }

  /** Fails early on bytes that cannot begin a message, instead of waiting for a blank line. */
  private checkStartLinePrefix(): void {
    const probe = decoder.decode(this.buffer.subarray(0, Math.min(this.buffer.length, 8)));
    if (!/^(?:R(?:T(?:S(?:P(?:\/.*)?)?)?)?|[A-Z_][A-Z0-9_-]*(?: .*)?)$/s.test(probe)) {
      throw new RtspProtocolError(`Unexpected bytes where an RTSP message should start: "${clip(probe)}"`, this.url);
    }
  }
}

/**
 * A response's status line or a request line (RFC 2326 sections 6.1 and 7.1), without headers and body.
 * @throws RtspProtocolError when it is neither.
 */
function parseStartLine(startLine: string, url: string): Omit<RtspResponse, 'headers' | 'body'> | Omit<RtspRequestFromServer, 'headers' | 'body'> {
  const response = /^(RTSP\/\d\.\d) (\d{3})(?: (.*))?$/.exec(startLine);
  if (response) return { kind: 'response', version: response[1]!, statusCode: Number(response[2]), reason: response[3] ?? '' };
  const request = /^([A-Z_][A-Z0-9_-]*) (\S+) (RTSP\/\d\.\d)$/.exec(startLine);
  if (request) return { kind: 'request', method: request[1]!, uri: request[2]!, version: request[3]! };
  throw new RtspProtocolError(`Malformed RTSP start line "${clip(startLine)}"`, url);
}

/** Value of the first header named `name` (case-insensitive), or null. */
export function headerValue(headers: readonly RtspHeader[], name: string): string | null {
  const lower = name.toLowerCase();
  for (const [key, value] of headers) if (key.toLowerCase() === lower) return value;
  return null;
}

/** Values of every header named `name` (case-insensitive), in order. */
export function headerValues(headers: readonly RtspHeader[], name: string): string[] {
  const lower = name.toLowerCase();
  return headers.filter(([key]) => key.toLowerCase() === lower).map(([, value]) => value);
}

/** Offsets of the end of the header text and of the byte after the blank line, or -1. */
function findHeaderEnd(buffer: Uint8Array, maxHeaderBytes: number): { end: number; afterBlank: number } | -1 {
  const limit = Math.min(buffer.length, maxHeaderBytes + 1);
  for (let i = 0; i < limit; i += 1) {
    if (buffer[i] !== LF) continue;
    if (buffer[i + 1] === LF) return { end: i, afterBlank: i + 2 };
    if (buffer[i + 1] === CR && buffer[i + 2] === LF) return { end: i, afterBlank: i + 3 };
  }
  return -1;
}

function clip(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 80 ? `${printable.slice(0, 80)}...` : printable;
}
