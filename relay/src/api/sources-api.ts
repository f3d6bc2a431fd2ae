/**
 * The proxy sources API: `GET/POST /api/sources`, `GET/PUT/DELETE /api/sources/{id}`. A source
 * holds the headers (Referer, User-Agent, Cookie, ...) a site needs and the URL prefix they may
 * be sent to; `/proxy?source=<id>&url=...` applies them.
 */
import { readJsonBody, validateBody } from '../http/body.ts';
import { HttpError, sendJson } from '../http/errors.ts';
import type { RequestContext, Route } from '../http/router.ts';
import { sourceCreateSchema, sourceUpdateSchema, type ProxySource } from '../proxy/source.ts';
import { proxyUrlFor } from '../proxy/proxy-handler.ts';
import type { PersistentList } from './persistent-list.ts';

/** A source as the API returns it. */
export interface SourceResource {
  id: string;
  name: string;
  headers: Record<string, string>;
  url_prefix: string;
  /** Proxy URL of the prefix itself with this source and the token: append nothing, or use as a template. */
  proxy_base_url: string;
}

/** What the source routes need. */
export interface SourcesApiOptions {
  sources: PersistentList<ProxySource>;
  /** Largest request body, in bytes. */
  maxRequestBodyBytes: number;
}

function toResource(ctx: RequestContext, source: ProxySource): SourceResource {
  return { id: source.id, name: source.name, headers: source.headers, url_prefix: source.urlPrefix, proxy_base_url: proxyUrlFor(ctx.baseUrl, source.urlPrefix, ctx.token, source.id) };
}

/** `https://tv.example` becomes `https://tv.example/`, so a prefix never matches `https://tv.example.evil/`. */
function normalisePrefix(text: string): string {
  return new URL(text).href;
}

/**
 * The source routes. Errors: 400 `invalid_body`, 404 `source_not_found`, 409 `source_exists`,
 * 413, 415, 500 `storage_failed`.
 */
export function sourceRoutes(options: SourcesApiOptions): Route[] {
  const { sources } = options;
  const find = (id: string): ProxySource => {
    const source = sources.get(id);
    if (source === undefined) throw new HttpError(404, 'source_not_found', `No proxy source has the id ${JSON.stringify(id)}.`);
    return source;
  };
  return [
    { method: 'GET', path: '/api/sources', handler: (ctx) => sendJson(ctx.res, 200, { sources: sources.list().map((source) => toResource(ctx, source)) }, ctx.cors) },
    {
      method: 'POST',
      path: '/api/sources',
      handler: async (ctx) => {
        const body = validateBody(sourceCreateSchema, await readJsonBody(ctx.req, options.maxRequestBodyBytes));
        const created = await sources.mutate((items) => {
          const id = body.id ?? nextId(items);
          if (items.some((item) => item.id === id)) throw new HttpError(409, 'source_exists', `A proxy source with the id ${JSON.stringify(id)} exists already.`);
          const source: ProxySource = { id, name: body.name, headers: body.headers, urlPrefix: normalisePrefix(body.url_prefix) };
          items.push(source);
          return source;
        });
        sendJson(ctx.res, 201, toResource(ctx, created), { ...ctx.cors, Location: `/api/sources/${encodeURIComponent(created.id)}` });
      },
    },
    { method: 'GET', path: '/api/sources/:id', handler: (ctx) => sendJson(ctx.res, 200, toResource(ctx, find(ctx.params.id ?? '')), ctx.cors) },
    {
      method: 'PUT',
      path: '/api/sources/:id',
      handler: async (ctx) => {
        const id = ctx.params.id ?? '';
        find(id);
        const body = validateBody(sourceUpdateSchema, await readJsonBody(ctx.req, options.maxRequestBodyBytes));
        const updated = await sources.mutate((items) => {
          const index = items.findIndex((item) => item.id === id);
          const current = items[index];
          if (current === undefined) throw new HttpError(404, 'source_not_found', `No proxy source has the id ${JSON.stringify(id)}.`);
          const source: ProxySource = {
            id,
            name: body.name ?? current.name,
            headers: body.headers ?? current.headers,
            urlPrefix: body.url_prefix === undefined ? current.urlPrefix : normalisePrefix(body.url_prefix),
          };
          items[index] = source;
          return source;
        });
        sendJson(ctx.res, 200, toResource(ctx, updated), ctx.cors);
      },
    },
    {
      method: 'DELETE',
      path: '/api/sources/:id',
      handler: async (ctx) => {
        const id = ctx.params.id ?? '';
        find(id);
        await sources.mutate((items) => {
          const index = items.findIndex((item) => item.id === id);
          if (index >= 0) items.splice(index, 1);
        });
        ctx.res.writeHead(204, ctx.cors).end();
      },
    },
  ];
}

function nextId(items: readonly ProxySource[]): string {
  const taken = new Set(items.map((item) => item.id));
  for (let n = 1; ; n += 1) if (!taken.has(`source-${n}`)) return `source-${n}`;
}
