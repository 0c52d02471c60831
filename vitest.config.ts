import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'services/*/test/**/*.test.ts',
      'infra/**/*.test.ts',
      'tests/**/*.test.ts',
      'deploy/**/*.test.ts',
      // The web app's own units and its production server (apps/web/vitest.config.ts runs them alone).
      'apps/web/src/**/*.test.ts',
      'apps/web/server/**/*.test.ts',
    ],
    globalSetup: ['tests/support/global-setup.ts'],
    setupFiles: ['tests/support/worker-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 90_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
