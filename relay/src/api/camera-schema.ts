/**
 * Camera API bodies (zod): what clients send to `POST /api/cameras` and `PUT /api/cameras/{id}`,
 * and the camera list file's records. JSON names are snake_case like the NVR APIs this follows.
 */
import { z } from 'zod';
import type { CameraConfig } from '../cameras/types.ts';
import { rtspUrlProblem } from './rtsp-url.ts';

/** Camera ids: lower-case letters, digits, `-` and `_`, 1 to 64, starting with a letter or digit (safe in URL paths). */
export const CAMERA_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

const rtspUrl = z
  .string()
  .max(2048)
  .superRefine((text, ctx) => {
    const problem = rtspUrlProblem(text);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: `RTSP URL ${problem}` });
  });
const name = z.string().trim().min(1, 'must not be empty').max(100);
const group = z.string().trim().max(100);
const transport = z.enum(['tcp', 'udp']);

/** `POST /api/cameras` body: `name` and `rtsp_url` required; `id` (made from the name when absent), `group` (''), `transport` ('tcp'), `enabled` (true). */
export const cameraCreateSchema = z.strictObject({
  id: z.string().regex(CAMERA_ID, 'must be 1-64 of a-z, 0-9, "-", "_", starting with a letter or digit').optional(),
  name,
  group: group.default(''),
  rtsp_url: rtspUrl,
  transport: transport.default('tcp'),
  enabled: z.boolean().default(true),
});

/** `PUT /api/cameras/{id}` body: any of the editable fields; absent ones keep their value. */
export const cameraUpdateSchema = z
  .strictObject({ name: name.optional(), group: group.optional(), rtsp_url: rtspUrl.optional(), transport: transport.optional(), enabled: z.boolean().optional() })
  .refine((body) => Object.keys(body).length > 0, 'give at least one of name, group, rtsp_url, transport, enabled');

/** One camera in the camera list file (the CameraConfig shape). */
export const storedCameraSchema: z.ZodType<CameraConfig> = z.object({
  id: z.string().regex(CAMERA_ID),
  name: z.string(),
  group: z.string(),
  rtspUrl: z.string(),
  transport: transport,
  enabled: z.boolean(),
});

export type CameraCreateBody = z.output<typeof cameraCreateSchema>;
export type CameraUpdateBody = z.output<typeof cameraUpdateSchema>;
