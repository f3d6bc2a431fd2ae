/**
 * `GET /cameras/{id}/{file}`: a camera's live HLS (its `index.m3u8`, init section and
 * segments) from {@link CameraStreams.getFile}, with CORS and the token required like every
 * other route (carried as `?token=` by media elements).
 */
import type { CameraStreams } from '../cameras/types.ts';
import { NotAPlaylistError, rewritePlaylist } from '../proxy/playlist-rewriter.ts';
import { HttpError } from './errors.ts';
import type { Route } from './router.ts';

/** File names a camera serves: no path separators, no leading dot. */
const FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/**
 * The camera file route. Playlists get `token=` added to their URIs and are sent with
 * `Cache-Control: no-cache` (they change every segment); segments and init sections, which never change once written, with
 * `Cache-Control: max-age=60`. 404 `camera_file_not_found` for an unknown camera or file;
 * 400 `bad_file_name` for names with separators or a leading dot.
 */
export function cameraFileRoutes(streams: CameraStreams): Route[] {
  return [
    {
      method: 'GET',
      path: '/cameras/:id/:file',
      handler: async (ctx) => {
        const id = ctx.params.id ?? '';
        const file = ctx.params.file ?? '';
        if (!FILE_NAME.test(file) || file.includes('..')) throw new HttpError(400, 'bad_file_name', `${JSON.stringify(file)} is not a camera file name.`);
        const abort = new AbortController();
        ctx.res.once('close', () => {
          if (!ctx.res.writableFinished) abort.abort();
        });
        const found = await streams.getFile(id, file, abort.signal);
        if (found === null) throw new HttpError(404, 'camera_file_not_found', `Camera ${JSON.stringify(id)} has no file ${JSON.stringify(file)} (unknown camera, disabled, or the segment left the live window).`);
        const isPlaylist = file.endsWith('.m3u8');
        const body = isPlaylist ? withToken(found.body, new URL(`/cameras/${encodeURIComponent(id)}/${file}`, `${ctx.baseUrl}/`), ctx.token) : found.body;
        ctx.res.writeHead(200, {
          ...ctx.cors,
          'Content-Type': found.contentType,
          'Content-Length': String(body.byteLength),
          'Cache-Control': isPlaylist ? 'no-cache' : 'max-age=60',
        });
        ctx.res.end(body);
      },
    },
  ];
}

/**
 * The playlist with `token=<token>` added to every URI that points back at this relay. Players
 * resolve a relative URI (`seg12.m4s`) against the playlist URL without its query (RFC 3986
 * section 5.2), so the token of `index.m3u8?token=...` would not reach the segments otherwise.
 * URIs to other origins are left alone, so the token never leaves the relay.
 */
function withToken(body: Uint8Array, playlistUrl: URL, token: string): Uint8Array {
  try {
    const { text } = rewritePlaylist(Buffer.from(body).toString('utf8'), {
      playlistUrl,
      proxyUrl: (absolute) => {
        const url = new URL(absolute);
        if (url.origin !== playlistUrl.origin) return absolute;
        url.searchParams.set('token', token);
        return url.href;
      },
    });
    return Buffer.from(text, 'utf8');
  } catch (error) {
    if (error instanceof NotAPlaylistError) throw new HttpError(502, 'camera_playlist_invalid', `The camera pipeline produced a playlist that cannot be read: ${error.message}`);
    throw error;
  }
}
