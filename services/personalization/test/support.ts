import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { quietLogger, roleDatabaseUrl, TEST_INTERNAL_SECRET, testEnv } from '@packytrace/testing';
import Fastify from 'fastify';
import type { PersonalizationConfig } from '../src/config';
import { startPersonalizationService, type RunningPersonalization } from '../src/service';

export const SECRET = TEST_INTERNAL_SECRET;
/** One key per test process, like one key per deployment. */
export const PROFILE_KEY = randomBytes(32).toString('base64');

export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startPersonalization(
  overrides: Partial<PersonalizationConfig> = {},
): Promise<RunningPersonalization> {
  return startPersonalizationService(
    {
      PT_HTTP_HOST: '127.0.0.1',
      PT_HTTP_PORT: 0,
      PT_LOG_LEVEL: 'silent',
      PT_INTERNAL_SECRET: SECRET,
      PT_DB_URL: roleDatabaseUrl('personalization_svc'),
      PT_KAFKA_BROKERS: testEnv().kafkaBrokers.join(','),
      PT_KAFKA_GROUP_SUFFIX: `-test-${randomUUID()}`,
      PT_IDENTITY_URL: `http://127.0.0.1:${await closedPort()}`,
      PT_IDENTITY_TIMEOUT_MS: 2000, // generous: tests share 2 cores; the slow-Identity test sets its own
      PT_HEALTH_PROFILE_KEY: PROFILE_KEY,
      ...overrides,
    },
    quietLogger('personalization'),
  );
}

/** A stand-in for Identity's consent endpoint: `granted` holds the accounts that granted health_profile. */
/** Identity's consent endpoint: `granted` accounts have health_profile consent, as decision `seqs` (when set). */
export async function fakeIdentity(options: {
  granted: Set<string>;
  delayMs?: number;
  seqs?: Map<string, number>;
}) {
  const app = Fastify();
  app.get('/internal/accounts/:accountId/consents/:purpose', async (request, reply) => {
    if (request.headers['x-internal-token'] !== SECRET)
      return reply.status(403).send({ code: 'internal_only' });
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    const { accountId, purpose } = request.params as { accountId: string; purpose: string };
    const granted = purpose === 'health_profile' && options.granted.has(accountId);
    const seq = options.seqs?.get(accountId);
    return { granted, policyVersion: granted ? '2026-01' : null, ...(seq !== undefined ? { seq } : {}) };
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
}

export function asGateway(accountId?: string): Record<string, string> {
  return { 'x-internal-token': SECRET, ...(accountId ? { 'x-account-id': accountId } : {}) };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read back in tests; the assertions check it
export async function call<T = any>(
  base: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: unknown } = {},
) {
  const response = await fetch(new URL(path, base), {
    method,
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}
