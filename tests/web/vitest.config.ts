import { defineConfig } from 'vitest/config';

/**
 * Browser tests of the web app (apps/web) in Debian's Chromium, driven by playwright-core.
 * Their own config: they build the app once (global setup) and run one file at a time, since
 * every file starts a browser on a 2-core machine. Files end in .e2e.ts so that the root
 * config (tests/**\/*.test.ts) does not pick them up.
 *   npx vitest run --config tests/web/vitest.config.ts tests/web/smoke.e2e.ts   (no backend needed)
 *   npx vitest run --config tests/web/vitest.config.ts tests/web/stack.e2e.ts   (the whole stack)
 */
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['tests/web/**/*.e2e.ts'],
    globalSetup: ['tests/web/support/build-app.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
