/** Routing of the relay's requests by method and path pattern (`/api/cameras/:id`). */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a handler gets for one request. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** The request URL, absolute against {@link RequestContext.baseUrl}. */
  url: URL;
  /** Path parameters by name, percent-decoded (`{ id: 'porch' }` for `/api/cameras/:id`). */
  params: Record<string, string>;
  /** Base URL clients reach the relay at, no trailing slash (`http://127.0.0.1:8787`). */
  baseUrl: string;
  /** CORS headers to put on the answer (empty of Allow-Origin for origins not allowed). */
  cors: Record<string, string>;
  /** The relay's access token, for URLs handed to clients. */
  token: string;
}

/** Handles one request; may throw HttpError for an error answer. */
export type Handler = (ctx: RequestContext) => Promise<void> | void;

/** One route. */
export interface Route {
  /** `GET`, `POST`, `PUT` or `DELETE`; a GET route also answers HEAD. */
  method: string;
  /** Path pattern: literal segments and `:name` parameters, e.g. `/cameras/:id/:file`. */
  path: string;
  handler: Handler;
  /** Whether the bearer token is required. Default true. */
  auth?: boolean;
}

/** What {@link matchRoute} found. */
export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allowed: string[] }
  | { kind: 'not-found' };

/**
 * Finds the route for `method` and `pathname`.
 * @returns `found` with decoded parameters; `method-not-allowed` with the methods the path
 *   has; `not-found` otherwise (also when a parameter's percent-encoding is malformed).
 */
export function matchRoute(routes: readonly Route[], method: string, pathname: string): RouteMatch {
  const segments = pathname.split('/').slice(1);
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchPath(route.path, segments);
    if (params === null) continue;
    if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { kind: 'found', route, params };
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { kind: 'method-not-allowed', allowed } : { kind: 'not-found' };
}

function matchPath(pattern: string, segments: string[]): Record<string, string> | null {
  const parts = pattern.split('/').slice(1);
  if (parts.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (const [index, part] of parts.entries()) {
    const segment = segments[index] ?? '';
    if (part.startsWith(':')) {
      if (segment === '') return null;
      try {
        params[part.slice(1)] = decodeURIComponent(segment);
      } catch {
        return null;
      }
    } else if (part !== segment) {
      return null;
    }
  }
  return params;
}
