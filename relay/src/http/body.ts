/** Reading JSON request bodies with a size limit, validated by a zod schema. */
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { HttpError } from './errors.ts';

/**
 * Reads the request body (at most `maxBytes`) and parses it as JSON.
 * @throws HttpError 415 `unsupported_media_type` when Content-Type is not application/json;
 *   413 `body_too_large` past `maxBytes` (the rest is not read); 400 `invalid_json` when the
 *   body is not JSON.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new HttpError(415, 'unsupported_media_type', `Send the body as JSON with "Content-Type: application/json" (got ${JSON.stringify(type)}).`);
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new HttpError(413, 'body_too_large', `The request body is ${declared} bytes; the limit is ${maxBytes} bytes.`, { Connection: 'close' });
  }
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.byteLength;
    if (bytes > maxBytes) {
      throw new HttpError(413, 'body_too_large', `The request body is over the limit of ${maxBytes} bytes.`, { Connection: 'close' });
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, 'invalid_json', `The request body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Validates `value` against `schema`.
 * @returns The parsed value.
 * @throws HttpError 400 `invalid_body` listing each problem as `path: message`.
 */
export function validateBody<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.length === 0 ? '(body)' : issue.path.join('.')}: ${issue.message}`);
  throw new HttpError(400, 'invalid_body', `The request body is not valid: ${problems.join('; ')}`);
}
