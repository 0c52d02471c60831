import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const services = [
  'identity',
  'passport',
  'personalization',
  'fridge',
  'measurement',
  'brand-analytics',
  'gateway',
];

describe('a service started without a required setting', () => {
  for (const service of services) {
    it(`${service} exits at once and names the missing setting`, () => {
      const env = { PATH: process.env.PATH, HOME: process.env.HOME };
      const started = Date.now();
      const result = spawnSync(
        join(root, 'node_modules/.bin/tsx'),
        [join(root, 'services', service, 'src/main.ts')],
        {
          env,
          encoding: 'utf8',
          timeout: 20_000,
        },
      );
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/PT_[A-Z_]+ is required/);
      expect(result.stderr).toContain('PT_INTERNAL_SECRET');
      expect(Date.now() - started).toBeLessThan(15_000);
    });
  }
});
