import type { z } from 'zod';
import {
  relayCameraListSchema,
  relayCameraSchema,
  relayErrorBodySchema,
  relaySourceListSchema,
  relaySourceSchema,
  type RelayCamera,
  type RelaySource,
} from './relay-schemas.ts';

/** Why a relay request failed. */
export type RelayErrorCode = 'unreachable' | 'timeout' | 'unauthorized' | 'invalid' | 'not-found' | 'bad-response' | 'http-error';

/**
 * A relay request that failed, with a message for the user. `status` is the HTTP status
 * (0 when no answer came); `relayCode` is the relay's own error code (`invalid_body`…), if any.
 */
export class RelayError extends Error {
  constructor(
    readonly code: RelayErrorCode,
    message: string,
    readonly status = 0,
    readonly relayCode: string | null = null,
  ) {
    super(message);
    this.name = 'RelayError';
  }
}

/** Where the relay is and how to be let in. */
export interface RelayConnection {
  /** The relay's base URL, e.g. `http://192.168.1.10:8787` (no trailing slash needed). */
  url: string;
  /** The relay's access token (RFC 6750 bearer token). */
  token: string;
}

/** A camera to add to the relay (`POST /api/cameras`). */
export interface NewRelayCamera {
  name: string;
  /** `rtsp://` URL, with `user:password@` when the camera needs them. */
  rtspUrl: string;
  /** RTP over the RTSP connection (`tcp`, default) or over UDP. */
  transport?: 'tcp' | 'udp';
  group?: string;
  enabled?: boolean;
}

/** A change to a relay camera (`PUT /api/cameras/{id}`): absent fields keep their value. */
export type RelayCameraPatch = Partial<NewRelayCamera>;

/** A header source to add to the relay (`POST /api/sources`). */
export interface NewRelaySource {
  name: string;
  /** Requests through the source must start with this URL (e.g. the stream's origin). */
  urlPrefix: string;
  /** Sent upstream with every request: `Referer`, `User-Agent`, `Cookie`. */
  headers: Record<string, string>;
}

/**
 * Typed client of the Tapedeck relay's API (relay/src/api): cameras (RTSP in, HLS out) and
 * header sources for the HLS proxy. Sends the token as `Authorization: Bearer` (RFC 6750
 * section 2.1), checks every answer with zod, and turns every failure into a
 * {@link RelayError} whose message says what to do.
 */
export class RelayClient {
  private readonly base: string;

  /**
   * @param timeoutMs - time limit of one request, in ms (config `cameras.relayRequestTimeoutMs`).
   * @throws RelayError `invalid` when `connection.url` is not an http(s) URL or the token is empty.
   */
  constructor(
    private readonly connection: RelayConnection,
    private readonly timeoutMs: number,
  ) {
    let url: URL;
    try {
      url = new URL(connection.url.trim());
    } catch {
      throw new RelayError('invalid', `The relay URL "${connection.url}" is not a full URL; it looks like http://192.168.1.10:8787.`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RelayError('invalid', `The relay URL must start with http:// or https://, not ${url.protocol}//.`);
    if (!connection.token.trim()) throw new RelayError('invalid', 'Enter the relay’s access token: the relay prints it when it first starts, and keeps it beside its camera list.');
    this.base = url.href.replace(/\/+$/, '');
  }

  /** The relay's cameras. */
  async listCameras(): Promise<RelayCamera[]> {
    return (await this.request('GET', '/api/cameras', relayCameraListSchema)).cameras;
  }

  /** One relay camera. @throws RelayError `not-found` when the relay has no such camera. */
  getCamera(id: string): Promise<RelayCamera> {
    return this.request('GET', `/api/cameras/${encodeURIComponent(id)}`, relayCameraSchema);
  }

  /** Adds a camera. @throws RelayError `invalid` with the relay's reasons for a camera it refuses. */
  addCamera(camera: NewRelayCamera): Promise<RelayCamera> {
    return this.request('POST', '/api/cameras', relayCameraSchema, cameraBody(camera));
  }

  /** Changes a camera. A masked password (`***`) sent back keeps the stored one. */
  updateCamera(id: string, patch: RelayCameraPatch): Promise<RelayCamera> {
    return this.request('PUT', `/api/cameras/${encodeURIComponent(id)}`, relayCameraSchema, cameraBody(patch));
  }

  /** Removes a camera from the relay. */
  async removeCamera(id: string): Promise<void> {
    await this.request('DELETE', `/api/cameras/${encodeURIComponent(id)}`, null);
  }

  /** The relay's header sources. */
  async listSources(): Promise<RelaySource[]> {
    return (await this.request('GET', '/api/sources', relaySourceListSchema)).sources;
  }

  /** Adds a header source. */
  addSource(source: NewRelaySource): Promise<RelaySource> {
    return this.request('POST', '/api/sources', relaySourceSchema, { name: source.name, url_prefix: source.urlPrefix, headers: source.headers });
  }

  /**
   * The relay's header source with `source`'s URL prefix and exactly its headers (names and
   * values alike), added when there is none. Recording the same stream through the relay twice
   * so gives the same proxy URL: the relay's source list does not grow with every recording, and
   * the recordings count as one source for retention.
   * @throws RelayError as {@link RelayClient.listSources} and {@link RelayClient.addSource} do;
   *   TypeError when `source.urlPrefix` is not an absolute URL.
   */
  async sourceFor(source: NewRelaySource): Promise<RelaySource> {
    const urlPrefix = new URL(source.urlPrefix).href;
    const same = (await this.listSources()).find((existing) => existing.urlPrefix === urlPrefix && sameHeaders(existing.headers, source.headers));
    return same ?? this.addSource({ ...source, urlPrefix });
  }

  /**
   * The relay URL that plays `streamUrl` through `source` (its headers added, every URI of the
   * playlist rewritten to come back through the relay), token included.
   */
  proxyUrl(streamUrl: string, sourceId: string): string {
    return `${this.base}/proxy?url=${encodeURIComponent(streamUrl)}&source=${encodeURIComponent(sourceId)}&token=${encodeURIComponent(this.connection.token.trim())}`;
  }

  private async request<S extends z.ZodType>(method: string, path: string, schema: S | null, body?: unknown): Promise<z.output<S>> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.connection.token.trim()}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(this.timeoutMs), cache: 'no-store' });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'TimeoutError') {
        throw new RelayError('timeout', `The relay at ${this.base} did not answer within ${Math.round(this.timeoutMs / 1000)} s.`);
      }
      throw new RelayError('unreachable', `The relay at ${this.base} cannot be reached: is it running, is the URL right, and does it allow this page’s origin (${location.origin})?`);
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) throw this.errorFor(response.status, text, path);
    if (schema === null) return undefined as z.output<S>;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new RelayError('bad-response', `${this.base} answered with something other than JSON: is it a Tapedeck relay?`, response.status);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new RelayError('bad-response', `The relay’s answer is not what Tapedeck expects (${first ? `${first.path.join('.') || 'answer'}: ${first.message}` : 'unknown shape'}): is it a Tapedeck relay of the same version?`, response.status);
    }
    return parsed.data;
  }

  private errorFor(status: number, text: string, path: string): RelayError {
    let relayCode: string | null = null;
    let relayMessage = '';
    try {
      const parsed = relayErrorBodySchema.safeParse(JSON.parse(text));
      if (parsed.success) ({ code: relayCode, message: relayMessage } = parsed.data.error);
    } catch {
      // Not JSON: the status says enough.
    }
    if (status === 401) {
      return new RelayError('unauthorized', 'The relay refused the access token (401). Check the token in Relay settings: the relay prints it when it first starts.', status, relayCode);
    }
    if (status === 404) return new RelayError('not-found', relayMessage || `The relay has no ${path} (404): is ${this.base} a Tapedeck relay?`, status, relayCode);
    if (status === 400 || status === 409 || status === 422) return new RelayError('invalid', `The relay refused it: ${relayMessage || `HTTP ${status}`}`, status, relayCode);
    return new RelayError('http-error', `The relay answered HTTP ${status}${relayMessage ? `: ${relayMessage}` : '.'}`, status, relayCode);
  }
}

function cameraBody(camera: RelayCameraPatch): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (camera.name !== undefined) body.name = camera.name;
  if (camera.rtspUrl !== undefined) body.rtsp_url = camera.rtspUrl;
  if (camera.transport !== undefined) body.transport = camera.transport;
  if (camera.group !== undefined) body.group = camera.group;
  if (camera.enabled !== undefined) body.enabled = camera.enabled;
  return body;
}

function sameHeaders(a: Record<string, string>, b: Record<string, string>): boolean {
  const names = Object.keys(a);
  return names.length === Object.keys(b).length && names.every((name) => Object.hasOwn(b, name) && b[name] === a[name]);
}
