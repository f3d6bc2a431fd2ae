/**
 * Proxy sources: the headers an upstream site needs (Referer, User-Agent, Cookie, ...) and the
 * URL prefix they may be sent to. `/proxy?source=<id>&url=...` applies them.
 */
import { z } from 'zod';

/** A source as stored and used. */
export interface ProxySource {
  id: string;
  name: string;
  /** Header name to value, sent with every upstream request under `urlPrefix`. */
  headers: Record<string, string>;
  /** Absolute http(s) URL prefix (`https://tv.example/live/`); the headers go only to URLs starting with it. */
  urlPrefix: string;
}

/** Headers a source may not set: the relay or HTTP itself owns them (RFC 9110 section 7.6.1, RFC 9112). */
const FORBIDDEN_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'accept-encoding', 'range']);
/** RFC 9110 section 5.6.2 token. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** RFC 9110 section 5.5 field value: visible characters, spaces and tabs, no CR/LF. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

const headersSchema = z.record(z.string(), z.string().max(8192)).superRefine((headers, ctx) => {
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(name)} is not a valid header name`, path: [name] });
    else if (FORBIDDEN_HEADERS.has(name.toLowerCase())) ctx.addIssue({ code: 'custom', message: `the header ${name} cannot be set on a source`, path: [name] });
    if (!HEADER_VALUE.test(value)) ctx.addIssue({ code: 'custom', message: 'header values cannot hold line breaks or control characters', path: [name] });
  }
});

const urlPrefix = z.string().superRefine((text, ctx) => {
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: 'must be an http:// or https:// URL' });
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an absolute http:// or https:// URL' });
  }
});

/** Source ids: as camera ids, safe in query strings and paths. */
export const SOURCE_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** `POST /api/sources` body: `name`, `url_prefix`, `headers` (default none), optional `id`. */
export const sourceCreateSchema = z.strictObject({
  id: z.string().regex(SOURCE_ID, 'must be 1-64 of a-z, 0-9, "-", "_", starting with a letter or digit').optional(),
  name: z.string().trim().min(1, 'must not be empty').max(100),
  headers: headersSchema.default({}),
  url_prefix: urlPrefix,
});

/** `PUT /api/sources/{id}` body: any of name, headers (replaced whole), url_prefix. */
export const sourceUpdateSchema = z
  .strictObject({ name: z.string().trim().min(1).max(100).optional(), headers: headersSchema.optional(), url_prefix: urlPrefix.optional() })
  .refine((body) => Object.keys(body).length > 0, 'give at least one of name, headers, url_prefix');

/** One source in the sources file. */
export const storedSourceSchema: z.ZodType<ProxySource> = z.object({
  id: z.string().regex(SOURCE_ID),
  name: z.string(),
  headers: z.record(z.string(), z.string()),
  urlPrefix: z.string(),
});

/** Whether `url` is inside the source's prefix (plain string prefix of the full URL). */
export function isInsidePrefix(source: ProxySource, url: string): boolean {
  return url.startsWith(source.urlPrefix);
}
