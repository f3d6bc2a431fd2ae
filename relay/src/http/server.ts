/**
 * The relay's HTTP server (node:http): CORS, bearer token, routing to the camera API, the
 * source API, camera files and the HLS proxy, JSON errors, and `GET /healthz`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cameraRoutes } from '../api/cameras-api.ts';
import { PersistError, type PersistentList } from '../api/persistent-list.ts';
import { sourceRoutes } from '../api/sources-api.ts';
import type { CameraConfig, CameraStreams } from '../cameras/types.ts';
import type { RelayConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import { createAddressPolicy, type AddressPolicyOptions } from '../proxy/address-policy.ts';
import { proxyRoutes } from '../proxy/proxy-handler.ts';
import type { ProxySource } from '../proxy/source.ts';
import { UpstreamError } from '../proxy/upstream-request.ts';
import { requireToken } from './auth.ts';
import { cameraFileRoutes } from './camera-files.ts';
import { corsHeaders, preflightHeaders } from './cors.ts';
import { HttpError, sendError, sendJson } from './errors.ts';
import { matchRoute, type Route } from './router.ts';

/** What {@link startRelayServer} needs. */
export interface RelayServerOptions {
  config: RelayConfig;
  /** The bearer token clients must present. */
  token: string;
  cameras: PersistentList<CameraConfig>;
  sources: PersistentList<ProxySource>;
  streams: CameraStreams;
  logger: Logger;
  /** DNS resolver for the proxy; tests inject one. Default `dns.lookup`. */
  resolve?: AddressPolicyOptions['resolve'];
}

/** A listening relay. */
export interface RelayServer {
  /** `http://<host>:<port>` it listens on (IPv6 hosts in brackets). */
  url: string;
  port: number;
  /**
   * Stops accepting, ends open connections (after up to 2 s for running answers) and stops
   * passing camera list changes to the pipelines (closing those is the caller's job). Never rejects.
   */
  close(): Promise<void>;
}

/** Longest wait for running answers when closing, in ms. */
const CLOSE_GRACE_MS = 2000;

/**
 * Builds the routes and starts listening on `config.host:config.port`.
 * @throws Error when the port cannot be bound (in use, no permission).
 */
export async function startRelayServer(options: RelayServerOptions): Promise<RelayServer> {
  const { config, logger } = options;
  const policy = createAddressPolicy({ allowPrivate: config.allowPrivate, allowedCidrs: config.allowedCidrs, ...(options.resolve ? { resolve: options.resolve } : {}) });
  const routes: Route[] = [
    { method: 'GET', path: '/healthz', auth: false, handler: (ctx) => sendJson(ctx.res, 200, { status: 'ok', uptime_sec: Math.round(process.uptime()) }, ctx.cors) },
    ...cameraRoutes({ cameras: options.cameras, streams: options.streams, maxRequestBodyBytes: config.maxRequestBodyBytes, logger }),
    ...sourceRoutes({ sources: options.sources, maxRequestBodyBytes: config.maxRequestBodyBytes }),
    ...cameraFileRoutes(options.streams),
    ...proxyRoutes({
      findSource: (id) => options.sources.get(id),
      policy,
      maxRedirects: config.maxRedirects,
      upstreamHeadersTimeoutMs: config.upstreamHeadersTimeoutMs,
      upstreamIdleTimeoutMs: config.upstreamIdleTimeoutMs,
      maxPlaylistBytes: config.maxPlaylistBytes,
      maxSegmentBytes: config.maxSegmentBytes,
      logger,
    }),
  ];

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      logger.error({ err: error }, 'request handling failed');
      res.destroy();
    });
  });
  let listeningUrl = '';

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedMs = Date.now();
    const baseUrl = config.publicUrl ?? (req.headers.host === undefined ? listeningUrl : `http://${req.headers.host}`);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `${baseUrl}/`);
    } catch {
      sendError(res, new HttpError(400, 'bad_request', 'The request target is not a valid URL.'));
      return;
    }
    const method = req.method ?? 'GET';
    const cors = corsHeaders(req, config.allowedOrigins);
    res.once('finish', () => {
      logger.debug({ method, path: url.pathname, status: res.statusCode, durationMs: Date.now() - startedMs }, 'request');
    });
    if (method === 'OPTIONS') {
      const preflight = req.headers['access-control-request-method'] !== undefined;
      res.writeHead(204, preflight ? preflightHeaders(req, config.allowedOrigins) : { ...cors, Allow: 'GET, HEAD, POST, PUT, DELETE, OPTIONS' }).end();
      return;
    }
    const match = matchRoute(routes, method, url.pathname);
    try {
      if (match.kind === 'not-found') throw new HttpError(404, 'not_found', `Nothing here: ${method} ${url.pathname}.`);
      if (match.kind === 'method-not-allowed') {
        const allowed = [...new Set(match.allowed.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])))].join(', ');
        throw new HttpError(405, 'method_not_allowed', `${method} is not allowed on ${url.pathname}; use ${allowed}.`, { Allow: allowed });
      }
      if (match.route.auth !== false) requireToken(req, url, options.token);
      await match.route.handler({ req, res, url, params: match.params, baseUrl, cors, token: options.token });
    } catch (error) {
      const answer = toHttpError(error);
      if (answer.status >= 500 && !(error instanceof UpstreamError)) logger.error({ err: error, method, path: url.pathname }, 'request failed');
      else logger.info({ method, path: url.pathname, status: answer.status, code: answer.code, reason: answer.message }, 'request refused');
      sendError(res, answer, cors);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  listeningUrl = `http://${host}:${address.port}`;
  const unsubscribe = options.cameras.onChange((items) => options.streams.update([...items]));
  options.streams.update([...options.cameras.list()]);

  let closing: Promise<void> | undefined;
  return {
    url: listeningUrl,
    port: address.port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        unsubscribe();
        const timer = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

/** The answer for a thrown error: HttpError as is, UpstreamError and PersistError mapped, anything else 500. */
function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof UpstreamError) return new HttpError(error.status, error.code, error.message);
  if (error instanceof PersistError) return new HttpError(500, 'storage_failed', `${error.message} Nothing was changed.`);
  return new HttpError(500, 'internal_error', 'The relay failed to answer; see its log.');
}
