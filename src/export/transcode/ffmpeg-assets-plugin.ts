import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';

/**
 * Files served under `/ffmpeg/`: the ffmpeg.wasm core (@ffmpeg/core, ESM build, ~31 MB) and
 * the font drawtext burns the wall clock with (DejaVu Sans, with its licence). They are
 * self-hosted from the app's own origin, never a CDN, and are not in the service worker's
 * precache manifest (vite.config.ts ignores `ffmpeg/**`): the page fetches them the first
 * time a transcode needs them and the service worker keeps them (cache-first `/ffmpeg/` route).
 */
export const FFMPEG_ASSET_NAMES = ['ffmpeg-core.js', 'ffmpeg-core.wasm', 'DejaVuSans.ttf', 'DejaVuSans-LICENSE.txt'] as const;

const MIME_TYPES: Record<string, string> = {
  js: 'text/javascript',
  wasm: 'application/wasm',
  ttf: 'font/ttf',
  txt: 'text/plain; charset=utf-8',
};

/** Absolute path on disk of each file in {@link FFMPEG_ASSET_NAMES}. */
export function ffmpegAssetPaths(): Record<(typeof FFMPEG_ASSET_NAMES)[number], string> {
  const require = createRequire(import.meta.url);
  // @ffmpeg/core exports only its entry points: the UMD build sits beside the ESM one.
  const coreDir = join(dirname(require.resolve('@ffmpeg/core')), '..', 'esm');
  const fontDir = dirname(require.resolve('dejavu-fonts-ttf/package.json'));
  return {
    'ffmpeg-core.js': join(coreDir, 'ffmpeg-core.js'),
    'ffmpeg-core.wasm': join(coreDir, 'ffmpeg-core.wasm'),
    'DejaVuSans.ttf': join(fontDir, 'ttf', 'DejaVuSans.ttf'),
    'DejaVuSans-LICENSE.txt': join(fontDir, 'LICENSE'),
  };
}

/**
 * Vite plugin: serves {@link FFMPEG_ASSET_NAMES} at `/ffmpeg/<name>` in the dev server (and the
 * browser unit tests' server), and copies them into `dist/ffmpeg/` at build, from node_modules,
 * so the 31 MB core is never committed.
 */
export function ffmpegAssetsPlugin(): Plugin {
  const paths = ffmpegAssetPaths();
  return {
    name: 'tapedeck-ffmpeg-assets',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const pathname = (req.url ?? '').split('?')[0] ?? '';
        const name = pathname.startsWith('/ffmpeg/') ? (pathname.slice('/ffmpeg/'.length) as keyof typeof paths) : null;
        const path = name ? paths[name] : undefined;
        if (!name || !path) return next();
        void stat(path).then(
          (info) => {
            res.setHeader('Content-Type', MIME_TYPES[name.split('.').pop() ?? ''] ?? 'application/octet-stream');
            res.setHeader('Content-Length', String(info.size));
            res.setHeader('Cache-Control', 'no-cache');
            createReadStream(path).pipe(res);
          },
          () => next(),
        );
      });
    },
    async generateBundle() {
      for (const name of FFMPEG_ASSET_NAMES) {
        this.emitFile({ type: 'asset', fileName: `ffmpeg/${name}`, source: await readFile(paths[name]) });
      }
    },
  };
}
