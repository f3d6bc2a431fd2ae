import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { chromiumExecutablePath } from './chromium.ts';
import { processTree, untilExited } from './process-memory.ts';

/**
 * Debian's Chromium driven over the raw Chrome DevTools Protocol, for what Playwright cannot
 * show: Playwright keeps every page it controls "visible" and launches Chromium with
 * background throttling off, so a hidden, throttled tab can only be had without it. Tabs
 * opened with {@link CdpBrowser.openTab} share one window, so only the newest is visible.
 */
export class CdpBrowser {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  private constructor(
    private readonly process: ChildProcess,
    private readonly socket: WebSocket,
    private readonly userDataDir: string,
  ) {
    socket.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as { id?: number; result?: unknown; error?: { message: string } };
      const waiter = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id!);
      if (message.error) waiter.reject(new Error(message.error.message));
      else waiter.resolve(message.result);
    });
  }

  /**
   * Starts headless Chromium with `extraArgs` (and none of Playwright's anti-throttling flags).
   * @throws Error when Chromium exits or prints no DevTools address within `timeoutMs`.
   */
  static async launch(extraArgs: string[] = [], timeoutMs = 30_000): Promise<CdpBrowser> {
    const userDataDir = await mkdtemp(join(tmpdir(), 'tapedeck-cdp-'));
    const child = spawn(
      chromiumExecutablePath(),
      ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--remote-debugging-port=0', `--user-data-dir=${userDataDir}`, ...extraArgs, 'about:blank'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const url = await new Promise<string>((resolve, reject) => {
      let stderr = '';
      const timer = setTimeout(() => reject(new Error(`Chromium printed no DevTools address within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /DevTools listening on (ws:\S+)/.exec(stderr);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Chromium exited (${code}) before it listened:\n${stderr}`));
      });
    });
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new CdpBrowser(child, socket, userDataDir);
  }

  /** Sends one CDP command (to a page when `sessionId` is given) and returns its result. */
  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<T> {
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.socket.send(JSON.stringify({ id, method, params, sessionId }));
    });
  }

  /** The first page's target id (the `about:blank` Chromium opened with). */
  async firstTab(): Promise<string> {
    const { targetInfos } = await this.send<{ targetInfos: { targetId: string; type: string }[] }>('Target.getTargets');
    const page = targetInfos.find((target) => target.type === 'page');
    if (!page) throw new Error('Chromium has no page.');
    return page.targetId;
  }

  /** Opens `url` in a new foreground tab of the same window (hiding the others); returns its target id. */
  async openTab(url: string): Promise<string> {
    const { targetId } = await this.send<{ targetId: string }>('Target.createTarget', { url, newWindow: false, background: false });
    return targetId;
  }

  /** Attaches to a tab; returns the session id to pass to {@link CdpBrowser.evaluate}. */
  async attach(targetId: string): Promise<string> {
    const { sessionId } = await this.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
    return sessionId;
  }

  /**
   * Evaluates `expression` in a tab, awaiting a returned promise, and returns its JSON value.
   * @throws Error with the page's exception text when the expression throws.
   */
  async evaluate<T>(sessionId: string, expression: string): Promise<T> {
    const reply = await this.send<{ result: { value: T }; exceptionDetails?: { text: string; exception?: { description?: string } } }>(
      'Runtime.evaluate',
      { expression, awaitPromise: true, returnByValue: true },
      sessionId,
    );
    if (reply.exceptionDetails) throw new Error(reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text);
    return reply.result.value;
  }

  /**
   * Calls `fn` in a tab with JSON-serialisable `args` and returns its (awaited) JSON result.
   * `fn` is sent as source text: it must not use anything from the test's scope.
   */
  call<A extends unknown[], T>(sessionId: string, fn: (...args: A) => T | Promise<T>, ...args: A): Promise<T> {
    return this.evaluate<T>(sessionId, `(${fn.toString()})(...${JSON.stringify(args)})`);
  }

  /**
   * Closes the connection, ends Chromium and removes its profile. Chromium's helper processes
   * (renderers, the storage service) can outlive the browser process for a moment and still
   * write into the profile (a removal then met ENOTEMPTY), so the whole tree is awaited first.
   */
  async close(): Promise<void> {
    this.socket.close();
    if (this.process.exitCode === null) {
      const helpers = await processTree(this.process.pid!);
      const exited = new Promise((resolve) => this.process.once('exit', resolve));
      this.process.kill('SIGTERM');
      await exited;
      await untilExited(helpers, 10_000);
    }
    await rm(this.userDataDir, { recursive: true, force: true });
  }
}
