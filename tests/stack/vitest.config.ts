import { basename } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Files named zz-* run after all others (the log search reads what every other file left in the logs). */
class ZzLast extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const last = (f: TestSpecification) => basename(f.moduleId).startsWith('zz-');
    return [...sorted.filter((f) => !last(f)), ...sorted.filter(last)];
  }
}

/**
 * API-level end-to-end tests through the REAL gateway of a running dev stack (npm run dev / the
 * launcher): plain fetch, no in-process services. Files end in .e2e.ts so that the root config
 * (tests/**\/*.test.ts) does not pick them up. One file at a time: they share the stack, and the
 * privacy-wall test waits for measurement windows to close.
 *   npx vitest run --config tests/stack/vitest.config.ts
 * PT_GATEWAY_URL (default http://localhost:8080), PT_KEYCLOAK_URL (default http://localhost:8081).
 */
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['tests/stack/**/*.e2e.ts'],
    setupFiles: ['tests/support/worker-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    sequence: { sequencer: ZzLast },
    pool: 'forks',
  },
});
