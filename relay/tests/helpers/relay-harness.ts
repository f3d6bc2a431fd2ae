/**
 * Starts the real relay server (node:http on 127.0.0.1, OS-chosen port) with its files in a
 * fresh temp directory, for tests. Logs are kept in memory so tests can read them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { storedCameraSchema } from '../../src/api/camera-schema.ts';
import { PersistentList } from '../../src/api/persistent-list.ts';
import type { CameraStreams } from '../../src/cameras/types.ts';
import { loadRelayConfig, type RelayConfig } from '../../src/config.ts';
import { createPlaceholderCameraStreams } from '../../src/http/camera-streams-factory.ts';
import { startRelayServer, type RelayServerOptions } from '../../src/http/server.ts';
import { loadOrCreateToken } from '../../src/http/token.ts';
import { createLogger } from '../../src/log.ts';
import { storedSourceSchema } from '../../src/proxy/source.ts';

/** A relay running for a test. */
export interface TestRelay {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  token: string;
  /** Temp directory holding cameras.json, sources.json and token. */
  dir: string;
  config: RelayConfig;
  /** Every log line so far, parsed. */
  logs: Record<string, unknown>[];
  /** Raw log text so far. */
  logText(): string;
  /** `fetch` against the relay with the token as a bearer header (unless `init.headers` has Authorization). */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** Stops the server (files stay until {@link TestRelay.dispose}). */
  close(): Promise<void>;
  /** Stops the server and deletes the temp directory. Never rejects. */
  dispose(): Promise<void>;
}

/** Options of {@link startTestRelay}. */
export interface TestRelayOptions {
  /** Extra command-line flags, as a user would give them (`['--allow-private']`). */
  args?: string[];
  /** Reuse this directory (restart test); otherwise a new temp dir is made. */
  dir?: string;
  streams?: CameraStreams;
  resolve?: RelayServerOptions['resolve'];
}

/**
 * Starts a relay with `--port 0 --cameras-file <dir>/cameras.json` plus `options.args`.
 * @throws whatever the relay throws at startup (a corrupt camera list, a bad flag).
 */
export async function startTestRelay(options: TestRelayOptions = {}): Promise<TestRelay> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'tapedeck-relay-')));
  const result = loadRelayConfig(['--host', '127.0.0.1', '--port', '0', '--cameras-file', join(dir, 'cameras.json'), '--log-level', 'debug', ...(options.args ?? [])], {});
  if (result.kind !== 'config') throw new Error('unexpected --help');
  const { config } = result;
  let text = '';
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString('utf8');
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const logger = createLogger({ level: 'debug', destination });
  const cameras = await PersistentList.open({ path: config.camerasFile, key: 'cameras', itemSchema: storedCameraSchema, what: 'camera list' });
  const sources = await PersistentList.open({ path: config.sourcesFile, key: 'sources', itemSchema: storedSourceSchema, what: 'proxy source list' });
  const { token } = await loadOrCreateToken(config.tokenFile);
  const server = await startRelayServer({
    config,
    token,
    cameras,
    sources,
    streams: options.streams ?? createPlaceholderCameraStreams(),
    logger,
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });
  return {
    url: server.url,
    token,
    dir,
    config,
    logs,
    logText: () => text,
    api(path, init = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
      return fetch(`${server.url}${path}`, { ...init, headers });
    },
    close: () => server.close(),
    async dispose() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
