import { execFileSync } from 'node:child_process';

/**
 * Path of the Chromium binary from Debian's `chromium` package, found with `which chromium`.
 * Tests never download a browser of their own.
 * @throws Error when no `chromium` is on the PATH, with the install command to run.
 */
export function chromiumExecutablePath(): string {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('No chromium on the PATH: install it with `apt-get install -y chromium`.');
  }
}

/**
 * Flags for headless Chromium on a machine with no network but loopback: background
 * networking is off so Chromium does not try to reach outside hosts at start-up.
 */
export const chromiumArgs: string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];
