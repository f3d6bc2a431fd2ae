import { readFile, readdir } from 'node:fs/promises';

/** Resident set size of one process, in bytes, or 0 once it has exited. */
export async function rssBytes(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses):
 * `[0]` the state (`R`, `S`, `Z`…), `[1]` the parent's id, and so on (proc(5)); null once the
 * process is gone.
 */
export async function statFields(pid: number): Promise<string[] | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return stat === null ? null : stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Ids of `rootPid` and all its descendants, read from /proc (Linux only). */
export async function processTree(rootPid: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = await statFields(Number(entry));
    // null: exited meanwhile
    if (fields) parents.set(Number(entry), Number(fields[1]));
  }
  const tree = [rootPid];
  for (let i = 0; i < tree.length; i += 1) {
    for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  }
  return tree;
}

/** True while `pid` runs (exists and is not a zombie waiting to be reaped). */
async function isRunning(pid: number): Promise<boolean> {
  const fields = await statFields(pid);
  return fields !== null && fields[0] !== 'Z';
}

/**
 * Resolves once none of `pids` runs any more, checking every 50 ms: for processes this one
 * did not start (a browser's helpers), whose exit no event reports.
 * @throws Error naming those still running after `timeoutMs`.
 */
export async function untilExited(pids: number[], timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const running = (await Promise.all(pids.map(async (pid) => ((await isRunning(pid)) ? pid : null)))).filter((pid) => pid !== null);
    if (running.length === 0) return;
    if (performance.now() > deadline) throw new Error(`Processes ${running.join(', ')} still run ${timeoutMs} ms after they were asked to end.`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Summed resident memory of `rootPid` and its descendants, in bytes. */
export async function treeRssBytes(rootPid: number): Promise<number> {
  const sizes = await Promise.all((await processTree(rootPid)).map(rssBytes));
  return sizes.reduce((a, b) => a + b, 0);
}

/** Peak memory seen by a {@link MemorySampler}, in bytes. */
export interface MemoryPeaks {
  /** Highest summed RSS of the whole tree at one sample. */
  totalBytes: number;
  /** Highest RSS per process kind (Chromium's `--type=`, or `main` for the root), each at its own peak. */
  byKindBytes: Record<string, number>;
}

/** A running sampler of a process tree's memory; `stop()` returns the peaks. */
export interface MemorySampler {
  stop(): Promise<MemoryPeaks>;
}

/** A process's kind: Chromium's `--type=` (`renderer`, `utility`, `gpu-process`…), or `main` for any other. */
export async function processKind(pid: number): Promise<string> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return /--type=([a-z-]+)/.exec(cmdline)?.[1] ?? 'main';
}

/**
 * Samples the summed resident memory of `rootPid`'s process tree every `intervalMs` and keeps
 * the peak. Sampling can miss a spike shorter than the interval.
 */
export function sampleTreeMemory(rootPid: number, intervalMs = 50): MemorySampler {
  const peaks: MemoryPeaks = { totalBytes: 0, byKindBytes: {} };
  let running = true;
  const loop = (async () => {
    while (running) {
      const byKind: Record<string, number> = {};
      for (const pid of await processTree(rootPid)) {
        const kind = await processKind(pid);
        byKind[kind] = (byKind[kind] ?? 0) + (await rssBytes(pid));
      }
      const total = Object.values(byKind).reduce((a, b) => a + b, 0);
      peaks.totalBytes = Math.max(peaks.totalBytes, total);
      for (const [kind, bytes] of Object.entries(byKind)) peaks.byKindBytes[kind] = Math.max(peaks.byKindBytes[kind] ?? 0, bytes);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peaks;
    },
  };
}

/**
 * Chromium's main (browser) process among the descendants of `parentPid` (default: this
 * process), i.e. a chromium this process launched, for memory sampling. Give `userDataDir`
 * to pick the one running that profile when this process has launched several (Playwright's
 * worker keeps its shared browser alive beside a test's own persistent context).
 * @throws Error when none is running.
 */
export async function launchedChromiumPid(parentPid: number = process.pid, userDataDir?: string): Promise<number> {
  for (const pid of await processTree(parentPid)) {
    if (pid === parentPid) continue;
    const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (!args.some((arg) => arg.includes('chromium')) || args.some((arg) => arg.startsWith('--type='))) continue;
    if (userDataDir && !args.includes(`--user-data-dir=${userDataDir}`)) continue;
    return pid;
  }
  throw new Error(`Could not find the browser process${userDataDir ? ` of ${userDataDir}` : ''}.`);
}
