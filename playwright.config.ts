import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumExecutablePath } from './tests/helpers/chromium.ts';

/** Port of the app under test; set TAPEDECK_E2E_PORT to run two suites side by side. */
const port = Number(process.env.TAPEDECK_E2E_PORT ?? 4173);
/** Where that suite's build goes (git-ignored). */
const buildDir = `.e2e-dist/${port}`;

/**
 * End-to-end tests: one Chromium (Debian's, never a downloaded one), one worker, tests in file
 * order, no retries. The app is built into `.e2e-dist/<port>` and served by `vite preview` on
 * 127.0.0.1:<port> (4173 by default).
 */
export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    acceptDownloads: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        browserName: 'chromium',
        launchOptions: { executablePath: chromiumExecutablePath(), args: chromiumArgs },
      },
    },
  ],
  // Per port, so two suites side by side never serve each other's half-written build.
  outputDir: `test-results/e2e-${port}`,
  webServer: {
    command: `npx vite build --outDir ${buildDir} --emptyOutDir && npx vite preview --outDir ${buildDir} --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}`,
    // Always build and serve the current tree: a server left running would test an old build.
    reuseExistingServer: false,
    timeout: 180_000,
  },
});
