import { afterEach, describe, expect, test } from 'vitest';
import { OUTPUT_SCENARIO_DIR, runOutputScenario, type OutputScenarioEnd, type OutputScenarioResult } from './test-output-scenario.ts';

/**
 * The export's output file in Chromium's real Origin Private File System: in a worker an OPFS
 * file is written in place through a sync access handle, on the page through a writable
 * stream; both must leave the same files behind.
 */

async function inWorker(fileName: string, picked: boolean, end: OutputScenarioEnd): Promise<OutputScenarioResult> {
  const worker = new Worker(new URL('./test-output-scenario-worker.ts', import.meta.url), { type: 'module' });
  try {
    const reply = await new Promise<{ result?: OutputScenarioResult; error?: string }>((resolve, reject) => {
      worker.onmessage = (event) => resolve(event.data);
      worker.onerror = (event) => reject(new Error(event.message));
      worker.postMessage({ fileName, picked, end });
    });
    if (reply.error) throw new Error(reply.error);
    return reply.result!;
  } finally {
    worker.terminate();
  }
}

async function existingFile(fileName: string, text: string): Promise<void> {
  const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(OUTPUT_SCENARIO_DIR, { create: true });
  const writable = await (await dir.getFileHandle(fileName, { create: true })).createWritable();
  await writable.write(text);
  await writable.close();
}

afterEach(async () => {
  await (await navigator.storage.getDirectory()).removeEntry(OUTPUT_SCENARIO_DIR, { recursive: true }).catch(() => undefined);
});

describe.each([
  { where: 'in a worker (sync access handle)', run: inWorker, syncAccessHandle: true },
  { where: 'on the page (writable stream)', run: runOutputScenario, syncAccessHandle: false },
])('openOutputFile $where', ({ run, syncAccessHandle }) => {
  test('an OPFS file holds the positioned writes once committed, and nothing of a longer file that had its name', async () => {
    await existingFile('out.mp4', 'an older and longer file');
    expect(await run('out.mp4', false, 'commit')).toEqual({ text: 'ABCDEFGH', syncAccessHandle });
  });

  test('a discarded OPFS file is removed', async () => {
    expect(await run('out.mp4', false, 'discard')).toEqual({ text: null, syncAccessHandle });
  });

  test('a picked file holds the writes once committed, and keeps its former contents when discarded', async () => {
    await existingFile('picked.mp4', 'former contents');
    expect((await run('picked.mp4', true, 'discard')).text).toBe('former contents');
    expect((await run('picked.mp4', true, 'commit')).text).toBe('ABCDEFGH');
  });
});
