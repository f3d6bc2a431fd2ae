/**
 * The worker @ffmpeg/ffmpeg's `FFmpeg` class drives (its `worker.js`, bundled by Vite as our
 * own module worker so that the class never falls back to a CDN or to an unbundled URL). It
 * loads the core from the app's origin (see ffmpeg-session.ts) and runs each command
 * synchronously; stopping a command means terminating this worker.
 */
import '@ffmpeg/ffmpeg/worker';
