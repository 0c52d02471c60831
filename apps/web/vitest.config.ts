import { defineConfig } from 'vitest/config';

// The web app's pure units only; the root config covers packages, services and tests/.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    environment: 'node',
  },
});
