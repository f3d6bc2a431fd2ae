import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from './poll.ts';

/** Longest wait, in milliseconds, for a process to exit after SIGTERM before it gets SIGKILL. */
const KILL_GRACE_MS = 3000;
/** How many characters of the process's stderr are kept for error messages. */
const STDERR_TAIL_CHARS = 4000;

/** Processes alive now, killed synchronously if the Node process exits with them. */
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

/** A process writing a live HLS stream (playlist and segments) into a directory. */
export interface LiveHlsProcess {
  /** Absolute path of the playlist the process writes. */
  playlistPath: string;
  /** Stops the process (SIGTERM, SIGKILL after 3 s). Safe to call more than once. Never rejects. */
  stop(): Promise<void>;
}

/** What {@link startLiveHlsProcess} runs. */
export interface LiveHlsCommand {
  command: string;
  args: string[];
  /** Working directory, where the playlist is written. */
  dir: string;
  /** Playlist file name inside `dir`. */
  playlistName: string;
  /** Longest wait for the playlist to list a first segment, in ms. Defaults to 30000. */
  startTimeoutMs?: number;
}

/**
 * Spawns a live HLS encoder (ffmpeg or gst-launch-1.0) and resolves once its playlist lists a
 * segment (a URI line).
 * @throws Error when the process cannot run or exits before the first segment (with the tail of
 *   its stderr), or when no segment is listed in time; the process is stopped first.
 */
export async function startLiveHlsProcess(spec: LiveHlsCommand): Promise<LiveHlsProcess> {
  const child = spawn(spec.command, spec.args, { cwd: spec.dir, stdio: ['ignore', 'ignore', 'pipe'] });
  liveChildren.add(child);
  let stderrTail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
  });
  let exitReason: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('error', (error) => {
      exitReason ??= `could not run ${spec.command}: ${error.message}`;
      liveChildren.delete(child);
      resolve();
    });
    child.once('close', (code, signal) => {
      exitReason ??= `${spec.command} exited early (code ${code}, signal ${signal})`;
      liveChildren.delete(child);
      resolve();
    });
  });
  let stopping: Promise<void> | undefined;
  const live: LiveHlsProcess = {
    playlistPath: join(spec.dir, spec.playlistName),
    stop() {
      stopping ??= killChild(child, exited);
      return stopping;
    },
  };
  try {
    await waitFor(
      async () => {
        if (exitReason !== undefined) throw new Error(`${exitReason}; stderr tail:\n${stderrTail}`);
        const text = await readFile(live.playlistPath, 'utf8').catch(() => '');
        return /^[^#\s].*$/m.test(text.replace(/^#EXTM3U.*$/m, '')) ? true : undefined;
      },
      { timeoutMs: spec.startTimeoutMs ?? 30_000, description: `${spec.playlistName} to list a segment` },
    );
  } catch (error) {
    await live.stop();
    throw error;
  }
  return live;
}

async function killChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'grace-over'>((resolve) => {
    timer = setTimeout(() => resolve('grace-over'), KILL_GRACE_MS);
  });
  const outcome = await Promise.race([exited.then(() => 'exited' as const), graceOver]);
  clearTimeout(timer);
  if (outcome === 'grace-over') {
    child.kill('SIGKILL');
    await exited;
  }
}
