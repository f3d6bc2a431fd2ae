/** The relay's bearer token: made on first start, kept in a file beside the camera list. */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../api/json-file.ts';

/** What {@link loadOrCreateToken} found. */
export interface TokenResult {
  /** 43 URL-safe base64 characters (32 random bytes). */
  token: string;
  /** True when the file did not exist and the token was just made (print it, once). */
  created: boolean;
}

/**
 * Reads the token from `path`, or makes a new one (32 random bytes, base64url) and writes it
 * there atomically with mode 0600 (directory made as needed).
 * @throws Error when the file exists but holds no token (empty or whitespace), or cannot be
 *   read or written; the message names the file.
 */
export async function loadOrCreateToken(path: string): Promise<TokenResult> {
  let text: string | undefined;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`Cannot read the relay token file ${path}: ${(error as Error).message}`, { cause: error });
    }
  }
  if (text !== undefined) {
    const token = text.trim();
    if (!/^[A-Za-z0-9._~+/=-]{16,}$/.test(token)) {
      throw new Error(`The relay token file ${path} holds no usable token (16 or more URL-safe characters). Delete it to make a new one.`);
    }
    return { token, created: false };
  }
  const token = randomBytes(32).toString('base64url');
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, `${token}\n`, 0o600);
  return { token, created: true };
}
