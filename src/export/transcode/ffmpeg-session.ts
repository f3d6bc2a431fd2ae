import { FFmpeg } from '@ffmpeg/ffmpeg';
import ffmpegWorkerUrl from './ffmpeg-worker.ts?worker&url';

/** Thrown when the ffmpeg.wasm core cannot be loaded (offline before its first use, or blocked). */
export class FfmpegLoadError extends Error {
  constructor(readonly detail: string) {
    super(
      'The transcoder (ffmpeg.wasm, about 31 MB) could not be loaded. It is downloaded from this site the first time a re-encoded export is made and kept for offline use: connect to the network once and try again.',
    );
    this.name = 'FfmpegLoadError';
  }
}

/** Thrown when an ffmpeg command fails: the input could not be read or the output written. */
export class FfmpegRunError extends Error {
  constructor(
    /** ffmpeg's exit code (non-zero). */
    readonly exitCode: number,
    /** The last lines ffmpeg logged. */
    readonly log: string,
  ) {
    super(`ffmpeg could not transcode the recording (exit code ${exitCode})${log ? `: ${log}` : '.'}`);
    this.name = 'FfmpegRunError';
  }
}

/**
 * Thrown when an ffmpeg command succeeded but its output is not what the export needs: no AAC
 * at all, or fewer AAC frames than its input needs (which would shift the audio after it), or a
 * video piece without video or without the input start it is placed by.
 */
export class FfmpegOutputError extends Error {
  constructor(detail: string) {
    super(`ffmpeg.wasm's output cannot be used: ${detail}`);
    this.name = 'FfmpegOutputError';
  }
}

/** Lines of ffmpeg's log kept for error messages. */
const LOG_TAIL_LINES = 4;

/**
 * One ffmpeg.wasm instance in its own worker (@ffmpeg/ffmpeg), with the core loaded from the
 * app's origin (`<basePath>ffmpeg-core.js` and `.wasm`, see ffmpeg-assets-plugin.ts), never a
 * CDN. Files live in its in-memory file system: write the input, run, read the output,
 * delete both, so memory holds one run's input and output at a time.
 * {@link FfmpegSession.terminate} stops a running command at once (the worker is killed).
 */
export class FfmpegSession {
  private readonly ffmpeg = new FFmpeg();
  private logTail: string[] = [];
  /** Every log line of the running command, when its caller reads them; else null. */
  private fullLog: string[] | null = null;
  private progressListener: ((outputSec: number) => void) | null = null;
  /** Settles when the last command given has ended. */
  private turn: Promise<unknown> = Promise.resolve();

  private constructor() {
    this.ffmpeg.on('log', ({ message }) => {
      // Progress lines (`frame=… time=…`) say nothing about a failure.
      if (/^\s*(frame|size)=/.test(message) || message === 'Aborted()') return;
      this.fullLog?.push(message);
      this.logTail.push(message);
      if (this.logTail.length > LOG_TAIL_LINES) this.logTail.shift();
    });
    // `time` is the output position in microseconds.
    this.ffmpeg.on('progress', ({ time }) => this.progressListener?.(time / 1e6));
  }

  /**
   * Starts the worker and loads the core from `origin` + `basePath`.
   * @param basePath same-origin folder of the core, e.g. `/ffmpeg/` (config `export.ffmpegBasePath`).
   * @throws FfmpegLoadError when the core cannot be fetched or instantiated.
   */
  static async load(basePath: string, origin: string = self.location.origin): Promise<FfmpegSession> {
    const session = new FfmpegSession();
    const base = new URL(basePath, origin);
    try {
      await session.ffmpeg.load({
        classWorkerURL: new URL(ffmpegWorkerUrl, self.location.href).href,
        coreURL: new URL('ffmpeg-core.js', base).href,
        wasmURL: new URL('ffmpeg-core.wasm', base).href,
      });
    } catch (error) {
      session.terminate();
      throw new FfmpegLoadError(error instanceof Error ? error.message : String(error));
    }
    return session;
  }

  /** Writes a file into ffmpeg's file system (the bytes are transferred, `data` is emptied). */
  async writeFile(path: string, data: Uint8Array): Promise<void> {
    await this.ffmpeg.writeFile(path, data);
  }

  /** Reads a file out of ffmpeg's file system. */
  async readFile(path: string): Promise<Uint8Array> {
    const data = await this.ffmpeg.readFile(path);
    if (typeof data === 'string') throw new TypeError(`${path} was read as text.`);
    return data;
  }

  /** Deletes a file, if it exists. */
  async deleteFile(path: string): Promise<void> {
    await this.ffmpeg.deleteFile(path).catch(() => undefined);
  }

  /**
   * Runs `ffmpeg <args>`. Commands run one at a time: one given while another runs (an audio
   * decoder and an encoder sharing the session) starts when it ends, so each has its own log.
   * @param onProgress called with the output position, in seconds.
   * @throws FfmpegRunError with the last lines of ffmpeg's log when it exits non-zero.
   * @throws Error `called FFmpeg.terminate()` when {@link terminate} stopped it.
   */
  run(args: string[], onProgress?: (outputSec: number) => void): Promise<void> {
    return this.inTurn(() => this.runNow(args, onProgress));
  }

  /**
   * Runs `ffmpeg <args>` as {@link run} does, and returns every line it logged (progress lines
   * aside), for reports printed to the log such as `loudnorm`'s.
   * @throws as {@link run}.
   */
  runForLog(args: string[], onProgress?: (outputSec: number) => void): Promise<string[]> {
    return this.inTurn(async () => {
      const lines: string[] = [];
      this.fullLog = lines;
      try {
        await this.runNow(args, onProgress);
        return lines;
      } finally {
        this.fullLog = null;
      }
    });
  }

  /** Calls `task` once every command given before it has ended. */
  private inTurn<T>(task: () => Promise<T>): Promise<T> {
    const result = this.turn.then(task);
    this.turn = result.catch(() => undefined);
    return result;
  }

  private async runNow(args: string[], onProgress?: (outputSec: number) => void): Promise<void> {
    this.logTail = [];
    this.progressListener = onProgress ?? null;
    try {
      let exitCode: number;
      try {
        exitCode = await this.ffmpeg.exec(args);
      } catch (error) {
        // A crash inside the core comes back as a string (`RuntimeError: memory access out of bounds`).
        if (error instanceof Error) throw error;
        throw new FfmpegRunError(-1, [...this.logTail, String(error)].join(' ').trim());
      }
      if (exitCode !== 0) throw new FfmpegRunError(exitCode, this.logTail.join(' ').trim());
    } finally {
      this.progressListener = null;
    }
  }

  /** Stops any running command and the worker; pending calls reject. Safe to call twice. */
  terminate(): void {
    this.ffmpeg.terminate();
  }
}

/**
 * An {@link FfmpegSession} loaded the first time it is asked for, so that an export loads the
 * core only when it meets audio the browser cannot decode.
 */
export class LazyFfmpegSession {
  private session: Promise<FfmpegSession> | null = null;

  /** @param basePath same-origin folder of the core (config `export.ffmpegBasePath`). */
  constructor(private readonly basePath: string) {}

  /**
   * The session, loading it on the first call.
   * @throws FfmpegLoadError as {@link FfmpegSession.load}.
   */
  get(): Promise<FfmpegSession> {
    this.session ??= FfmpegSession.load(this.basePath);
    return this.session;
  }

  /** Terminates the session if it was loaded. */
  async terminate(): Promise<void> {
    const session = this.session;
    this.session = null;
    (await session?.catch(() => null))?.terminate();
  }
}
