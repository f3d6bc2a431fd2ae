/**
 * The relay's files on disk: atomic writes (temp file, fsync, rename, fsync of the directory,
 * so a crash leaves the old file or the new one, never half of one) and strict reads that
 * refuse a corrupt file instead of starting empty and overwriting it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { z } from 'zod';

/**
 * A stored file exists but cannot be used: not JSON, or not the expected shape. The relay
 * stops with this message rather than replace the file; `path` is the file.
 */
export class StoredFileError extends Error {
  override name = 'StoredFileError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Writes `data` to `path` atomically: into `.<name>.<random>.tmp` in the same directory,
 * fsync, rename over `path`, fsync the directory. The temp file is removed when any step fails.
 * @param mode File permissions for a new file, e.g. 0o600 for secrets. Default 0o644.
 * @throws Error from the file system (directory missing, disk full, no permission).
 */
export async function writeFileAtomic(path: string, data: string, mode = 0o644): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  // Make the rename itself durable. Some file systems refuse fsync on a directory: not fatal.
  const dirHandle = await open(dir, 'r').catch(() => undefined);
  await dirHandle?.sync().catch(() => undefined);
  await dirHandle?.close();
}

/**
 * Writes `value` as pretty JSON with {@link writeFileAtomic}, making the directory if needed.
 * @throws Error from the file system.
 */
export async function writeJsonFileAtomic(path: string, value: unknown, mode?: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, mode);
}

/**
 * Reads and validates a JSON file.
 * @param what What the file holds, in words, for messages ("camera list").
 * @returns The parsed value, or null when the file does not exist.
 * @throws StoredFileError when the file is not JSON or does not match `schema` (the message
 *   names the file, the problem, and says it was left as it is); Error when it cannot be read.
 */
export async function readJsonFile<S extends z.ZodType>(path: string, schema: S, what: string): Promise<z.output<S> | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`Cannot read the ${what} ${path}: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new StoredFileError(path, `The ${what} ${path} is not valid JSON (${(error as Error).message}). It was left untouched: fix it or move it away, then start the relay again.`);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`);
    throw new StoredFileError(path, `The ${what} ${path} does not have the expected shape (${problems.join('; ')}). It was left untouched: fix it or move it away, then start the relay again.`);
  }
  return result.data;
}
