import { defineConfig } from 'vitest/config';

// The web app's units and its server, alone (`npm test -w apps/web`); the root config runs them too.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'server/**/*.test.ts'],
    environment: 'node',
  },
});
