/**
 * What the Tapedeck relay's API answers, as zod schemas: the app checks every answer before
 * using it, so a wrong URL (some other server) or a relay of another version gives a clear
 * message instead of undefined fields. JSON names are the relay's (snake_case); the parsed
 * values are the app's (camelCase, units in names). See relay/src/api/cameras-api.ts.
 */
import { z } from 'zod';

/** Where a relay camera's stream is. */
export const relayCameraStateSchema = z.enum(['idle', 'connecting', 'live', 'reconnecting', 'offline', 'disabled']);
/** Where a relay camera's stream is: `live`, `reconnecting`, `offline`… */
export type RelayCameraState = z.infer<typeof relayCameraStateSchema>;

const statusSchema = z
  .object({
    state: relayCameraStateSchema,
    bitrate_bps: z.number().nonnegative().default(0),
    packets_lost: z.number().nonnegative().default(0),
    loss_rate: z.number().min(0).max(1).default(0),
    last_error: z.string().nullable().default(null),
    dropped_audio_codec: z.string().nullable().default(null),
  })
  .transform((s) => ({ state: s.state, bitrateBps: s.bitrate_bps, packetsLost: s.packets_lost, lossRate: s.loss_rate, lastError: s.last_error, droppedAudioCodec: s.dropped_audio_codec }));

/** A relay camera's live status. */
export type RelayCameraStatus = z.output<typeof statusSchema>;

/** One camera as `GET /api/cameras/{id}` answers it. */
export const relayCameraSchema = z
  .object({
    id: z.string().min(1),
    name: z.string(),
    group: z.string().default(''),
    /** The RTSP URL with any password replaced by `***`. */
    rtsp_url: z.string(),
    has_password: z.boolean().default(false),
    transport: z.enum(['tcp', 'udp']),
    enabled: z.boolean(),
    stream_url: z.url(),
    status: statusSchema,
  })
  .transform((c) => ({
    id: c.id,
    name: c.name,
    group: c.group,
    rtspUrl: c.rtsp_url,
    hasPassword: c.has_password,
    transport: c.transport,
    enabled: c.enabled,
    streamUrl: c.stream_url,
    status: c.status,
  }));

/** A relay camera: `rtspUrl` has its password masked; `streamUrl` is its live HLS, token included. */
export type RelayCamera = z.output<typeof relayCameraSchema>;

/** `GET /api/cameras`. */
export const relayCameraListSchema = z.object({ cameras: z.array(relayCameraSchema) });

/** One header source as `GET /api/sources/{id}` answers it. */
export const relaySourceSchema = z
  .object({ id: z.string().min(1), name: z.string(), headers: z.record(z.string(), z.string()), url_prefix: z.string(), proxy_base_url: z.url() })
  .transform((s) => ({ id: s.id, name: s.name, headers: s.headers, urlPrefix: s.url_prefix, proxyBaseUrl: s.proxy_base_url }));

/** A header source: requests through `/proxy?source=<id>` under `urlPrefix` carry `headers`. */
export type RelaySource = z.output<typeof relaySourceSchema>;

/** `GET /api/sources`. */
export const relaySourceListSchema = z.object({ sources: z.array(relaySourceSchema) });

/** Every error answer: `{ error: { code, message } }`. */
export const relayErrorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
