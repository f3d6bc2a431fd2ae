/**
 * The camera REST API, after the NVR APIs it follows: `GET/POST /api/cameras`,
 * `GET/PUT/DELETE /api/cameras/{id}`. Answers never hold a camera's password: `rtsp_url` has it
 * replaced by `***` and `has_password` says there is one; a PUT sending the masked URL back
 * keeps the stored password.
 */
import type { CameraConfig, CameraStatus, CameraStreams } from '../cameras/types.ts';
import { readJsonBody, validateBody } from '../http/body.ts';
import { HttpError, sendJson } from '../http/errors.ts';
import type { RequestContext, Route } from '../http/router.ts';
import { cameraCreateSchema, cameraUpdateSchema } from './camera-schema.ts';
import type { Logger } from '../log.ts';
import type { PersistentList } from './persistent-list.ts';
import { hasMaskedPassword, hasPassword, maskRtspUrl, restoreMaskedPassword } from './rtsp-url.ts';

/** A camera as the API returns it. */
export interface CameraResource {
  id: string;
  name: string;
  group: string;
  /** The RTSP URL with any password replaced by `***`. */
  rtsp_url: string;
  has_password: boolean;
  transport: 'tcp' | 'udp';
  enabled: boolean;
  /** Absolute URL of the camera's live HLS media playlist, token included. */
  stream_url: string;
  status: {
    state: CameraStatus['state'];
    /** Received media bitrate, bits per second. */
    bitrate_bps: number;
    packets_lost: number;
    /** 0 to 1. */
    loss_rate: number;
    last_error: string | null;
    dropped_audio_codec: string | null;
  };
}

/** What the camera routes need. */
export interface CamerasApiOptions {
  cameras: PersistentList<CameraConfig>;
  streams: CameraStreams;
  /** Largest request body, in bytes. */
  maxRequestBodyBytes: number;
  /** Changes are logged with the camera's URL; the logger masks its password. */
  logger: Logger;
}

/** Absolute URL of a camera's live playlist, carrying the token (media elements cannot send headers). */
export function cameraStreamUrl(baseUrl: string, id: string, token: string): string {
  return `${baseUrl}/cameras/${encodeURIComponent(id)}/index.m3u8?token=${encodeURIComponent(token)}`;
}

/** The API view of a camera: password masked, stream URL and live status added. */
export function toCameraResource(camera: CameraConfig, status: CameraStatus, baseUrl: string, token: string): CameraResource {
  return {
    id: camera.id,
    name: camera.name,
    group: camera.group,
    rtsp_url: maskRtspUrl(camera.rtspUrl),
    has_password: hasPassword(camera.rtspUrl),
    transport: camera.transport,
    enabled: camera.enabled,
    stream_url: cameraStreamUrl(baseUrl, camera.id, token),
    status: {
      state: status.state,
      bitrate_bps: status.bitrateBps,
      packets_lost: status.packetsLost,
      loss_rate: status.lossRate,
      last_error: status.lastError === null ? null : maskRtspUrl(status.lastError),
      dropped_audio_codec: status.droppedAudioCodec,
    },
  };
}

/**
 * The camera routes. Errors: 400 `invalid_body` (zod problems listed), 400 `masked_password`
 * (a `***` password but none stored), 404 `camera_not_found`, 409 `camera_exists`, 413, 415,
 * 500 `storage_failed` (the list on disk and in memory unchanged).
 */
export function cameraRoutes(options: CamerasApiOptions): Route[] {
  const { cameras, streams } = options;
  const view = (ctx: RequestContext, camera: CameraConfig) => toCameraResource(camera, streams.status(camera.id), ctx.baseUrl, ctx.token);
  const find = (id: string): CameraConfig => {
    const camera = cameras.get(id);
    if (camera === undefined) throw new HttpError(404, 'camera_not_found', `No camera has the id ${JSON.stringify(id)}.`);
    return camera;
  };
  return [
    {
      method: 'GET',
      path: '/api/cameras',
      handler: (ctx) => sendJson(ctx.res, 200, { cameras: cameras.list().map((camera) => view(ctx, camera)) }, ctx.cors),
    },
    {
      method: 'POST',
      path: '/api/cameras',
      handler: async (ctx) => {
        const body = validateBody(cameraCreateSchema, await readJsonBody(ctx.req, options.maxRequestBodyBytes));
        if (hasMaskedPassword(body.rtsp_url)) {
          throw new HttpError(400, 'masked_password', 'The RTSP URL has the masked password "***"; send the real password for a new camera.');
        }
        const created = await cameras.mutate((items) => {
          const id = body.id ?? uniqueId(body.name, items);
          if (items.some((item) => item.id === id)) throw new HttpError(409, 'camera_exists', `A camera with the id ${JSON.stringify(id)} exists already.`);
          const camera: CameraConfig = { id, name: body.name, group: body.group, rtspUrl: body.rtsp_url, transport: body.transport, enabled: body.enabled };
          items.push(camera);
          return camera;
        });
        options.logger.info({ camera: created }, 'camera added');
        sendJson(ctx.res, 201, view(ctx, created), { ...ctx.cors, Location: `/api/cameras/${encodeURIComponent(created.id)}` });
      },
    },
    {
      method: 'GET',
      path: '/api/cameras/:id',
      handler: (ctx) => sendJson(ctx.res, 200, view(ctx, find(ctx.params.id ?? '')), ctx.cors),
    },
    {
      method: 'PUT',
      path: '/api/cameras/:id',
      handler: async (ctx) => {
        const id = ctx.params.id ?? '';
        find(id);
        const body = validateBody(cameraUpdateSchema, await readJsonBody(ctx.req, options.maxRequestBodyBytes));
        const updated = await cameras.mutate((items) => {
          const index = items.findIndex((item) => item.id === id);
          const current = items[index];
          if (current === undefined) throw new HttpError(404, 'camera_not_found', `No camera has the id ${JSON.stringify(id)}.`);
          let rtspUrl = body.rtsp_url ?? current.rtspUrl;
          if (body.rtsp_url !== undefined && hasMaskedPassword(body.rtsp_url)) {
            const restored = restoreMaskedPassword(body.rtsp_url, current.rtspUrl);
            if (restored === null) {
              throw new HttpError(400, 'masked_password', 'The RTSP URL has the masked password "***" but this camera has no stored password; send the real password.');
            }
            rtspUrl = restored;
          }
          const camera: CameraConfig = {
            id,
            name: body.name ?? current.name,
            group: body.group ?? current.group,
            rtspUrl,
            transport: body.transport ?? current.transport,
            enabled: body.enabled ?? current.enabled,
          };
          items[index] = camera;
          return camera;
        });
        options.logger.info({ camera: updated }, 'camera changed');
        sendJson(ctx.res, 200, view(ctx, updated), ctx.cors);
      },
    },
    {
      method: 'DELETE',
      path: '/api/cameras/:id',
      handler: async (ctx) => {
        const id = ctx.params.id ?? '';
        find(id);
        await cameras.mutate((items) => {
          const index = items.findIndex((item) => item.id === id);
          if (index < 0) throw new HttpError(404, 'camera_not_found', `No camera has the id ${JSON.stringify(id)}.`);
          items.splice(index, 1);
        });
        options.logger.info({ cameraId: id }, 'camera removed');
        ctx.res.writeHead(204, ctx.cors).end();
      },
    },
  ];
}

/** An id made from the name (`Front door` -> `front-door`), with `-2`, `-3`, ... when taken. */
function uniqueId(name: string, items: readonly CameraConfig[]): string {
  const base =
    name
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 56) || 'camera';
  const taken = new Set(items.map((item) => item.id));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n += 1) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}
