import type { TestProject } from 'vitest/node';
import { startFaultServer } from './fault-server.ts';
import { startFormatStreamServer } from './format-streams.ts';

/**
 * Vitest globalSetup for the browser unit-test project; runs in Node before any test file.
 * Starts the fault server ({@link startFaultServer}) and provides its origin
 * (`http://127.0.0.1:<port>`) as `faultServerUrl`; tests read it with `inject('faultServerUrl')`
 * from `vitest`.
 *
 * @returns The teardown, which closes the fault server (never rejects).
 * @throws Error when the fault server cannot listen; Vitest then fails the run.
 */
export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  const server = await startFaultServer();
  provide('faultServerUrl', server.url);
  // Streams in every segment format (fMP4, byte ranges, packed audio, GStreamer), made on first use.
  const formats = await startFormatStreamServer();
  provide('formatStreamsUrl', formats.url);
  return async () => {
    await Promise.all([server.close(), formats.close()]);
  };
}
