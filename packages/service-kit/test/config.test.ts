import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import { CommonEnv, ConfigError, envSchema, loadEnv } from '../src/config';

const Env = envSchema({ ...CommonEnv, PT_DB_URL: Type.String({ pattern: '^postgres://' }) });

describe('loadEnv', () => {
  it('converts and defaults settings from the environment', () => {
    const config = loadEnv(Env, {
      PT_HTTP_PORT: '8102',
      PT_INTERNAL_SECRET: 'x'.repeat(16),
      PT_DB_URL: 'postgres://a@b/c',
    });
    expect(config).toMatchObject({ PT_HTTP_PORT: 8102, PT_HTTP_HOST: '127.0.0.1', PT_LOG_LEVEL: 'info' });
  });

  it('names every missing or invalid setting', () => {
    try {
      loadEnv(Env, { PT_HTTP_PORT: 'eighty', PT_INTERNAL_SECRET: 'short' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      expect(message).toContain('PT_DB_URL');
      expect(message).toContain('PT_HTTP_PORT');
      expect(message).toContain('PT_INTERNAL_SECRET');
    }
  });
});
