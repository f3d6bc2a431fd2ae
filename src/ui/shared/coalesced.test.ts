import { describe, expect, it } from 'vitest';
import { coalesced } from './coalesced.ts';

/** A run that waits until the test lets it finish, counting how often it started. */
function gatedRun() {
  const gates: (() => void)[] = [];
  let starts = 0;
  const run = () => {
    starts += 1;
    return new Promise<void>((resolve) => gates.push(resolve));
  };
  return { run, gates, starts: () => starts };
}

describe('coalesced', () => {
  it('runs once for one call', async () => {
    const gated = gatedRun();
    const reload = coalesced(gated.run);
    const done = reload();
    gated.gates.shift()!();
    await done;
    expect(gated.starts()).toBe(1);
  });

  it('folds any number of calls made during a run into exactly one more run', async () => {
    const gated = gatedRun();
    const reload = coalesced(gated.run);
    const first = reload();
    const during = [reload(), reload(), reload()];
    expect(gated.starts()).toBe(1);
    gated.gates.shift()!();
    await expect.poll(() => gated.gates.length).toBe(1); // the one extra run has started
    expect(gated.starts()).toBe(2);
    gated.gates.shift()!();
    await Promise.all([first, ...during]);
    expect(gated.starts()).toBe(2);
  });

  it('a failed run rejects its callers and does not block the next call', async () => {
    let fail = true;
    const reload = coalesced(async () => {
      if (fail) throw new Error('storage went away');
    });
    await expect(reload()).rejects.toThrow('storage went away');
    fail = false;
    await expect(reload()).resolves.toBeUndefined();
  });
});
