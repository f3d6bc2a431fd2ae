/** Message a page sends a waiting service worker to make it take over (workbox-window's convention). */
export const SKIP_WAITING_MESSAGE = 'SKIP_WAITING';
