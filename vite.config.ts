import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { demoStreamPlugin } from './demo/vite-plugin.ts';
import { chromiumExecutablePath, chromiumArgs } from './tests/helpers/chromium.ts';

export default defineConfig({
  plugins: [demoStreamPlugin()],
  worker: { format: 'es' },
  // Pre-bundled up front, so the dev server and browser tests never reload mid-run to add them.
  optimizeDeps: { include: ['lit', 'lit/directives/ref.js', 'lit/directives/repeat.js', 'hls.js', 'idb', 'hls-parser', 'mediabunny', 'fast-check'] },
  build: { target: 'es2022', sourcemap: true },
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['demo/**/*.test.ts', 'tests/helpers/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        plugins: [],
        test: {
          name: 'browser',
          include: ['src/**/*.test.ts'],
          globalSetup: ['tests/helpers/unit-global-setup.ts'],
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: { executablePath: chromiumExecutablePath(), args: chromiumArgs },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
