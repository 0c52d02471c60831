import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { quietLogger, roleDatabaseUrl, TEST_INTERNAL_SECRET, testEnv } from '@packytrace/testing';
import type { PassportConfig } from '../src/config';
import { startPassportService, type RunningPassport } from '../src/service';

export const SECRET = TEST_INTERNAL_SECRET;

/** A port nothing listens on: a stopped sibling service or a stopped Kafka. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The passport service in-process against the real PostgreSQL and Kafka. */
export async function startPassport(overrides: Partial<PassportConfig> = {}): Promise<RunningPassport> {
  return startPassportService(
    {
      PT_HTTP_HOST: '127.0.0.1',
      PT_HTTP_PORT: 0,
      PT_LOG_LEVEL: 'silent',
      PT_INTERNAL_SECRET: SECRET,
      PT_DB_URL: roleDatabaseUrl('passport_svc'),
      PT_KAFKA_BROKERS: testEnv().kafkaBrokers.join(','),
      PT_KAFKA_GROUP_SUFFIX: `-test-${randomUUID()}`,
      PT_PERSONALIZATION_URL: `http://127.0.0.1:${await closedPort()}`,
      PT_VERDICT_TIMEOUT_MS: 1000, // generous: tests share 2 cores; the slow-Personalization test sets its own
      PT_SEED_DEMO_CATALOG: true,
      ...overrides,
    },
    quietLogger('passport'),
  );
}

/** Headers the gateway adds for a trusted caller. */
export function asGateway(
  identity: { accountId?: string; visitorId?: string; brandId?: string; roles?: string[] } = {},
): Record<string, string> {
  const headers: Record<string, string> = { 'x-internal-token': SECRET, 'content-type': 'application/json' };
  if (identity.accountId) headers['x-account-id'] = identity.accountId;
  if (identity.visitorId) headers['x-visitor-id'] = identity.visitorId;
  if (identity.brandId) headers['x-brand-id'] = identity.brandId;
  if (identity.roles) headers['x-roles'] = identity.roles.join(',');
  return headers;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read back in tests; the assertions check it
export async function call<T = any>(
  base: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<{ status: number; body: T }> {
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
