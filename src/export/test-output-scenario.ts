import { openOutputFile } from './output-file.ts';
import type { RemuxRequest } from './messages.ts';

/** What {@link runOutputScenario} does with the file once its writes are in. */
export type OutputScenarioEnd = 'commit' | 'discard';

/** What {@link runOutputScenario} saw: the file's text afterwards (null once removed), and which writer was used. */
export interface OutputScenarioResult {
  text: string | null;
  syncAccessHandle: boolean;
}

/** The scratch OPFS folder of the output-file tests. */
export const OUTPUT_SCENARIO_DIR = 'test-output-file';

/**
 * Test scenario of src/export/output-file.ts, run on the page and in a worker (where OPFS files
 * get a sync access handle): opens `fileName` in {@link OUTPUT_SCENARIO_DIR} (or the handle of
 * that file as a picked file when `picked`), writes "EFGH" at 4 then "ABCD" at 0, then commits
 * or discards, and reads back what the file holds.
 */
export async function runOutputScenario(fileName: string, picked: boolean, end: OutputScenarioEnd): Promise<OutputScenarioResult> {
  const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(OUTPUT_SCENARIO_DIR, { create: true });
  const target: RemuxRequest['target'] = picked ? { kind: 'handle', handle: await dir.getFileHandle(fileName) } : { kind: 'opfs', dirName: OUTPUT_SCENARIO_DIR, fileName };
  const output = await openOutputFile(target, () => undefined);
  const writer = output.sink.getWriter();
  const bytes = (text: string) => new TextEncoder().encode(text);
  await writer.write({ type: 'write', position: 4, data: bytes('EFGH') });
  await writer.write({ type: 'write', position: 0, data: bytes('ABCD') });
  await writer.close();
  await (end === 'commit' ? output.commit() : output.discard());
  const file = await dir.getFileHandle(fileName).catch(() => null);
  return { text: file && (await (await file.getFile()).text()), syncAccessHandle: typeof FileSystemFileHandle.prototype.createSyncAccessHandle === 'function' };
}
