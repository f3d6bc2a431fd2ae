/// <reference lib="webworker" />
/**
 * Tapedeck's service worker (built by vite-plugin-pwa in injectManifest mode). It precaches
 * the app shell and every script it needs, workers included, so the app opens, lists, plays
 * and downloads recordings with no network; recordings themselves live in IndexedDB. A new
 * version waits until the page asks it to take over (after the user agrees to reload).
 */
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst } from 'workbox-strategies';
import { ExpirationPlugin } from 'workbox-expiration';
import { SKIP_WAITING_MESSAGE } from './messages.ts';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | { url: string; revision: string | null })[] };

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// The first version takes charge of the page that installed it, so that page already works
// offline and later versions wait for the user's consent (a worker no page uses would not).
clientsClaim();

// Every navigation gets the app shell, except the demo stream the dev and preview servers serve.
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: [/^\/demo\//] }));

// The ffmpeg core (export issue) is large: cached the first time it is loaded, then offline.
registerRoute(
  ({ url }) => url.origin === self.location.origin && url.pathname.startsWith('/ffmpeg/'),
  new CacheFirst({ cacheName: 'tapedeck-ffmpeg-core', plugins: [new ExpirationPlugin({ maxEntries: 8 })] }),
);

self.addEventListener('message', (event: ExtendableMessageEvent) => {
  if ((event.data as { type?: string } | null)?.type === SKIP_WAITING_MESSAGE) void self.skipWaiting();
});
