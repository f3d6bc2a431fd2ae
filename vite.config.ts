import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { VitePWA } from 'vite-plugin-pwa';
import { demoStreamPlugin } from './demo/vite-plugin.ts';
import { ffmpegAssetsPlugin } from './src/export/transcode/ffmpeg-assets-plugin.ts';
import { chromiumExecutablePath, chromiumArgs } from './tests/helpers/chromium.ts';

/** Shown in the app and baked into the bundles; set TAPEDECK_BUILD_ID to tell two builds apart. */
const buildId = process.env.TAPEDECK_BUILD_ID ?? process.env.npm_package_version ?? 'dev';

export default defineConfig({
  define: { __TAPEDECK_BUILD_ID__: JSON.stringify(buildId) },
  plugins: [
    demoStreamPlugin(),
    // The ffmpeg.wasm core and drawtext font at /ffmpeg/: served in dev, copied into dist/ffmpeg/.
    ffmpegAssetsPlugin(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src/pwa',
      filename: 'sw.ts',
      registerType: 'prompt',
      injectRegister: false,
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        // The ffmpeg core is loaded only when a transcode first needs it, then cached (sw.ts).
        globIgnores: ['ffmpeg/**'],
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
      },
      manifest: {
        id: '/',
        name: 'Tapedeck: record live streams',
        short_name: 'Tapedeck',
        description: 'Record live HLS streams in your browser, play them offline, export them as files.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'any',
        theme_color: '#b3261e',
        background_color: '#f3f4f6',
        categories: ['music', 'entertainment', 'utilities'],
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/maskable-192.png', sizes: '192x192', type: 'image/png', purpose: 'maskable' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: '/favicon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
        ],
        // Share a stream link to Tapedeck from another app: it opens with the URL filled in.
        share_target: { action: '/', method: 'GET', enctype: 'application/x-www-form-urlencoded', params: { title: 'title', text: 'text', url: 'url' } },
      },
      devOptions: { enabled: false },
    }),
  ],
  worker: { format: 'es' },
  // Pre-bundled up front, so the dev server and browser tests never reload mid-run to add them.
  optimizeDeps: { include: ['lit', 'lit/directives/ref.js', 'lit/directives/repeat.js', 'hls.js', 'idb', 'hls-parser', 'mediabunny', '@mediabunny/mp3-encoder', 'music-metadata', 'fast-check', 'zod'] },
  build: { target: 'es2022', sourcemap: true },
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['demo/**/*.test.ts', 'tests/helpers/**/*.test.ts', 'patches/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'relay',
          include: ['relay/src/**/*.test.ts', 'relay/tests/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        plugins: [ffmpegAssetsPlugin()],
        // Inline projects do not inherit the root's optimizeDeps. The ffmpeg.wasm worker is only
        // reached through a `?worker&url` import, which the dependency scan does not follow:
        // found mid-run, it made Vite reload the page under a running test.
        optimizeDeps: { include: ['@ffmpeg/ffmpeg/worker'] },
        test: {
          name: 'browser',
          include: ['src/**/*.test.ts'],
          globalSetup: ['tests/helpers/unit-global-setup.ts'],
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: { executablePath: chromiumExecutablePath(), args: chromiumArgs },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
