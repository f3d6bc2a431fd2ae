/**
 * `tapedeck-relay` as a user runs it: the bin script through tsx, flags, a parseable
 * "listening" log line, the token printed once, a clean stop on SIGTERM, clear startup errors.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../tests/helpers/poll.ts';

const BIN = resolve(import.meta.dirname, '../bin/tapedeck-relay.mjs');
const START_TIMEOUT_MS = 20_000;

interface Run {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code once the process ended. */
  exited: Promise<number | null>;
}

function runRelay(args: string[]): Run {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TAPEDECK_RELAY_PORT: '' } });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<number | null>((done) => child.once('close', (code) => done(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Log lines printed so far, parsed. */
function lines(run: Run): Record<string, unknown>[] {
  return run
    .stdout()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function listeningUrl(run: Run): Promise<string> {
  let ended = false;
  void run.exited.then(() => (ended = true));
  return waitFor(
    () => {
      const line = lines(run).find((entry) => entry.msg === 'listening');
      if (line !== undefined) return String(line.url);
      if (ended) throw new Error(`the relay exited: ${run.stdout()} ${run.stderr()}`);
      return undefined;
    },
    { timeoutMs: START_TIMEOUT_MS, description: 'the relay to log its listening URL' },
  );
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapedeck-relay-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tapedeck-relay', () => {
  it('starts on --port 0, logs a parseable listening line, answers /healthz, and prints the token only the first time', async () => {
    const camerasFile = join(dir, 'cameras.json');
    for (const firstStart of [true, false]) {
      const run = runRelay(['--port', '0', '--cameras-file', camerasFile]);
      try {
        const url = await listeningUrl(run);
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const health = await fetch(`${url}/healthz`);
        expect(health.status).toBe(200);
        const token = (await readFile(join(dir, 'token'), 'utf8')).trim();
        const tokenLines = lines(run).filter((entry) => entry.token === token);
        expect(tokenLines, `first start: ${firstStart}`).toHaveLength(firstStart ? 1 : 0);
        expect((await fetch(`${url}/api/cameras`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
      } finally {
        run.child.kill('SIGTERM');
      }
      expect(await run.exited).toBe(0);
      expect(lines(run).some((entry) => entry.msg === 'stopping')).toBe(true);
    }
  }, 60_000);

  it('refuses a corrupt camera list with exit code 1 and a message naming the file', async () => {
    const corrupt = join(dir, 'corrupt', 'cameras.json');
    await mkdir(join(dir, 'corrupt'));
    await writeFile(corrupt, '{"version":1,"cameras":[');
    const run = runRelay(['--port', '0', '--cameras-file', corrupt]);
    expect(await run.exited).toBe(1);
    const fatal = lines(run).find((entry) => entry.level === 60);
    expect(String(fatal?.msg)).toContain(`The camera list ${corrupt} is not valid JSON`);
    expect(await readFile(corrupt, 'utf8')).toBe('{"version":1,"cameras":[');
  }, 30_000);

  it('refuses a bad flag with exit code 2 and the usage', async () => {
    const run = runRelay(['--port', 'eighty']);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain('--port (or TAPEDECK_RELAY_PORT) must be a whole number');
  }, 30_000);
});
