import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, test } from 'vitest';
import { cpuSecBetween, treeCpuSecByKind } from './process-cpu.ts';

describe('treeCpuSecByKind', () => {
  test("counts a child's busy CPU time, and cpuSecBetween gives what was used between two readings", async () => {
    // A child that spins until it has used 400 ms of user time (asking the kernel only every
    // million turns, so that the asking costs little system time), says so, then idles.
    const spin = "for (let turn = 1; turn % 1e6 !== 0 || process.cpuUsage().user < 400_000; turn++); process.stdout.write('busy done'); setInterval(() => {}, 1000);";
    const child = spawn(process.execPath, ['-e', spin], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const startedAt = performance.now();
      const before = await treeCpuSecByKind(child.pid!);
      await once(child.stdout!, 'data');
      const after = await treeCpuSecByKind(child.pid!);
      const wallSec = (performance.now() - startedAt) / 1000;
      const used = cpuSecBetween(before, after);
      expect(Object.keys(used)).toEqual(['main']);
      // At least the 400 ms (less the start-up before the first reading, which is not counted,
      // and a 10 ms clock tick); never more than two cores over the wall time it took.
      expect(used.main).toBeGreaterThanOrEqual(0.3);
      expect(used.main).toBeLessThanOrEqual(2 * wallSec + 0.02);
    } finally {
      child.kill();
    }
  });

  test('a process that is gone counts nothing', async () => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await once(child, 'exit');
    expect(await treeCpuSecByKind(child.pid!)).toEqual({});
  });
});
