import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './poll.ts';

/** Path of the relay's command (`relay/bin/tapedeck-relay.mjs`). */
const RELAY_BIN = fileURLToPath(new URL('../../relay/bin/tapedeck-relay.mjs', import.meta.url));
/** Longest wait, in ms, for the relay to exit after SIGTERM before it gets SIGKILL. */
const KILL_GRACE_MS = 3000;

/** Options of {@link startRelay}. */
export interface RelayProcessOptions {
  /** Page origins the relay's CORS allows (`--allowed-origin`), e.g. `http://127.0.0.1:4181`. */
  allowedOrigins: string[];
  /** Let the proxy reach loopback and private addresses (`--allow-private`); tests need it for 127.0.0.1 streams. */
  allowPrivate?: boolean;
  /** Longest wait for the `listening` log line, in ms. Default 30000. */
  startTimeoutMs?: number;
}

/** A real relay (`node relay/bin/tapedeck-relay.mjs`) listening on 127.0.0.1 at an OS-assigned port. */
export interface RelayProcess {
  /** Base URL from its `listening` log line, `http://127.0.0.1:<port>`. */
  url: string;
  /** The access token it created on first start (printed once in its log). */
  token: string;
  /** Its data directory (camera list, sources, token file), removed by `stop()`. */
  dataDir: string;
  /** Everything it logged so far (JSON lines), for failure messages. */
  log(): string;
  /** SIGTERM (SIGKILL after 3 s), then removes `dataDir`. Safe to call twice; never rejects. */
  stop(): Promise<void>;
}

/**
 * Starts the relay with a fresh data directory on `--port 0`, and resolves once it logs
 * `listening` (with its URL) and the new token.
 * @throws Error with the relay's output when it exits first or does not listen within the
 *   timeout; the process is stopped and the directory removed first.
 */
export async function startRelay(options: RelayProcessOptions): Promise<RelayProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tapedeck-relay-'));
  const args = [RELAY_BIN, '--host', '127.0.0.1', '--port', '0', '--cameras-file', join(dataDir, 'cameras.json'), '--log-level', 'info'];
  for (const origin of options.allowedOrigins) args.push('--allowed-origin', origin);
  if (options.allowPrivate) args.push('--allow-private');
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  let exited = false;
  const closed = new Promise<void>((resolve) => child.once('close', () => ((exited = true), resolve())));
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
        await closed;
        clearTimeout(timer);
      }
      await rm(dataDir, { recursive: true, force: true });
    })());
  try {
    const found = await waitFor(
      () => {
        if (exited) throw new Error(`The relay exited before listening:\n${output}`);
        const lines = output.split('\n').flatMap((line) => {
          try {
            return [JSON.parse(line) as { msg?: string; url?: string; token?: string }];
          } catch {
            return [];
          }
        });
        const url = lines.find((l) => l.msg === 'listening')?.url;
        const token = lines.find((l) => typeof l.token === 'string')?.token;
        return url && token ? { url, token } : undefined;
      },
      { timeoutMs: options.startTimeoutMs ?? 30_000, description: 'the relay to log "listening" and its token' },
    );
    return { ...found, dataDir, log: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
