import { execFileSync } from 'node:child_process';
import { processKind, processTree, statFields } from './process-memory.ts';

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`; 100 on Linux where it cannot be read). */
const TICKS_PER_SEC = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU time used so far by `rootPid` and its descendants, user and system together, in seconds,
 * summed by process kind ({@link processKind}: Chromium's `renderer`, `utility`… or `main`).
 * A process counts its threads, those that have ended too (proc(5) `utime`, `stime`); a process
 * that has ended is no longer counted, so take both readings while the processes of interest run.
 */
export async function treeCpuSecByKind(rootPid: number): Promise<Record<string, number>> {
  const byKind: Record<string, number> = {};
  for (const pid of await processTree(rootPid)) {
    const fields = await statFields(pid);
    if (!fields) continue;
    // utime and stime are fields 14 and 15 of /proc/<pid>/stat; these fields start at 3 (state).
    const kind = await processKind(pid);
    byKind[kind] = (byKind[kind] ?? 0) + (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SEC;
  }
  return byKind;
}

/** CPU time used between two readings of {@link treeCpuSecByKind}, in seconds by process kind (kinds new in `after` count from 0). */
export function cpuSecBetween(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([kind, sec]) => [kind, Math.max(0, sec - (before[kind] ?? 0))]));
}
