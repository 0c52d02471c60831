import { randomUUID } from 'node:crypto';
import { Consumer, stringDeserializers } from '@platformatic/kafka';
import { createLogger, type Logger } from '@packytrace/service-kit';

/**
 * Settings for tests against the real servers. `tests/global-setup.ts` fills them in from the running
 * infrastructure (started by `npm test`, or `npm run infra` while developing).
 */
export function testEnv() {
  const need = (name: string): string => {
    const value = process.env[name];
    if (!value)
      throw new Error(`${name} is not set: run the tests with \`npm test\` (or start \`npm run infra\`)`);
    return value;
  };
  return {
    adminDatabaseUrl: need('PT_TEST_ADMIN_DATABASE_URL'),
    databaseName: need('PT_TEST_DATABASE'),
    kafkaBrokers: need('PT_KAFKA_BROKERS').split(','),
    keycloakUrl: need('PT_KEYCLOAK_URL'),
    issuer: need('PT_KEYCLOAK_ISSUER'),
    identityClientSecret: process.env.PT_IDENTITY_CLIENT_SECRET ?? 'identity-service-dev-secret',
    adminEmail: process.env.PT_ADMIN_EMAIL ?? 'admin@packytrace.local',
    adminPassword: process.env.PT_ADMIN_PASSWORD ?? 'packytrace-admin',
  };
}

/** Connection string of a service role on the test database. */
export function roleDatabaseUrl(role: string): string {
  const env = testEnv();
  const url = new URL(env.adminDatabaseUrl);
  url.username = role;
  url.password = process.env[`PT_DB_PASSWORD_${role.toUpperCase()}`] ?? `${role}-dev-password`;
  url.pathname = `/${env.databaseName}`;
  return url.toString();
}

/** Superuser connection string on the test database (test set-up and inspection only). */
export function adminDatabaseUrl(): string {
  const env = testEnv();
  const url = new URL(env.adminDatabaseUrl);
  url.pathname = `/${env.databaseName}`;
  return url.toString();
}

export const TEST_INTERNAL_SECRET = 'test-internal-secret-0123456789';

export function quietLogger(name = 'test'): Logger {
  return createLogger(name, process.env.PT_TEST_LOG_LEVEL ?? 'silent');
}

/** Waits until `probe` returns a value that is not undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
  what = 'condition',
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

const loadedAt = Date.now();

/** A message as read back by tests: its raw value and headers. */
export interface ReadMessage {
  value: string;
  headers: Map<string, string>;
}

/**
 * Reads a topic with a fresh consumer until `done(events)` is true and returns every parsed event seen
 * (tests filter by eventId or their own ids). It starts at the events of the last few minutes before
 * this test file loaded, not at the topic's beginning, so it stays fast on a long-lived dev Kafka.
 */
export async function readTopic<E = Record<string, unknown>>(
  topic: string,
  done: (events: E[]) => boolean,
  timeoutMs = 20_000,
  sinceMs = loadedAt - 5 * 60_000,
): Promise<E[]> {
  const events: E[] = [];
  await readTopicMessages(
    topic,
    (message) => {
      try {
        events.push(JSON.parse(message.value) as E);
      } catch {
        events.push({ raw: message.value } as E);
      }
      return done(events);
    },
    timeoutMs,
    sinceMs,
  );
  return events;
}

/** The first message on `topic` (since this test file loaded) that `matches`, headers included. */
export async function findMessage(
  topic: string,
  matches: (message: ReadMessage) => boolean,
  timeoutMs = 60_000,
): Promise<ReadMessage> {
  let found: ReadMessage | undefined;
  await readTopicMessages(
    topic,
    (message) => (found = matches(message) ? message : undefined) !== undefined,
    timeoutMs,
  );
  return found!;
}

/**
 * A reader that receives nothing for this long starts over with a fresh consumer: one stalled in a CI
 * run (0 messages in 60 s on a topic that had hundreds) while a fresh one reads at once.
 */
const STALL_MS = 8_000;

/**
 * Feeds every message of `topic` since `sinceMs` to `take` until it returns true. A broker that has just
 * come back (the outage test) may refuse the first requests, and a consumer may stall: a failed or
 * stalled read starts over with a fresh consumer until the deadline, and no message is fed twice.
 */
export async function readTopicMessages(
  topic: string,
  take: (message: ReadMessage) => boolean,
  timeoutMs = 20_000,
  sinceMs = loadedAt - 5 * 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const fed = new Set<string>(); // `partition:offset` of every message given to `take`
  for (;;) {
    try {
      return await readOnce(topic, take, deadline, sinceMs, fed);
    } catch (error) {
      if (Date.now() > deadline || (error as Error).message.startsWith('timed out reading')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

async function readOnce(
  topic: string,
  take: (message: ReadMessage) => boolean,
  deadline: number,
  sinceMs: number,
  fed: Set<string>,
): Promise<void> {
  const consumer = new Consumer({
    clientId: `test-reader-${randomUUID()}`,
    groupId: `test-reader-${randomUUID()}`,
    bootstrapBrokers: testEnv().kafkaBrokers,
    deserializers: stringDeserializers,
    maxWaitTime: 200,
  });
  let done = false;
  let stalled = false;
  let failure: Error | undefined;
  let stream: Awaited<ReturnType<typeof consumer.consume>> | undefined;
  let stallCheck: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => void stream?.close(), Math.max(0, deadline - Date.now()));
  try {
    const fromTime = await consumer.listOffsets({ topics: [topic], timestamp: BigInt(sinceMs) });
    const latest = await consumer.listOffsets({ topics: [topic] });
    const offsets = (fromTime.get(topic) ?? []).map((offset, partition) => ({
      topic,
      partition,
      // -1: nothing that recent in this partition; start at its end.
      offset: offset >= 0n ? offset : (latest.get(topic)?.[partition] ?? 0n),
    }));
    stream = await consumer.consume({ topics: [topic], mode: 'manual', offsets, autocommit: false });
    const reading = stream;
    reading.on('error', (error: Error) => {
      failure ??= error;
      void reading.close().catch(() => undefined);
    });
    let lastMessageAt = Date.now();
    stallCheck = setInterval(() => {
      if (Date.now() - lastMessageAt < STALL_MS) return;
      stalled = true;
      void reading.close().catch(() => undefined);
    }, 1_000);
    for await (const message of reading) {
      lastMessageAt = Date.now();
      const position = `${message.partition}:${message.offset}`;
      if (fed.has(position)) continue; // read by an earlier attempt
      fed.add(position);
      done = take({ value: String(message.value), headers: message.headers as Map<string, string> });
      if (done) break;
    }
  } finally {
    clearTimeout(timer);
    clearInterval(stallCheck);
    await stream?.close().catch(() => undefined);
    await Promise.resolve(consumer.close(true)).catch(() => undefined);
  }
  if (done) return;
  if (Date.now() < deadline && (failure || stalled))
    throw failure ?? new Error(`reader of ${topic} got nothing for ${STALL_MS / 1000} s; starting over`);
  throw new Error(`timed out reading ${topic}: saw ${fed.size} events`);
}

/**
 * A realm user of the test's own, created as Identity creates one (email and password only, through
 * the identity-service account's Admin API access), deleted after `run`. Tests that fail or race logins
 * use one: two failed logins of one user within a second lock it for a minute (Keycloak's quick-login
 * check), and test files running alongside sign in as the seeded users.
 */
export async function withKeycloakUser<T>(
  run: (user: { id: string; email: string; password: string }) => Promise<T>,
): Promise<T> {
  const env = testEnv();
  const service = await fetch(`${env.issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'identity-service',
      client_secret: env.identityClientSecret,
    }),
  });
  const { access_token } = (await service.json()) as { access_token?: string };
  if (!access_token) throw new Error(`identity-service token request failed: ${service.status}`);
  const headers = { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' };
  const email = `kc-user-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const password = 'Own-test-user-2026!';
  const created = await fetch(`${env.keycloakUrl}/admin/realms/packytrace/users`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      username: email,
      email,
      emailVerified: true,
      enabled: true,
      credentials: [{ type: 'password', value: password, temporary: false }],
    }),
  });
  if (created.status !== 201) throw new Error(`creating a Keycloak user failed: ${created.status}`);
  const userUrl = String(created.headers.get('location'));
  try {
    return await run({ id: userUrl.split('/').pop()!, email, password });
  } finally {
    await fetch(userUrl, { method: 'DELETE', headers });
  }
}

/** An access token of the test realm through the dev-only `packytrace-cli` client (direct access grant). */
export async function passwordGrant(
  username: string,
  password: string,
  options: GrantOptions = {},
): Promise<{ accessToken: string; payload: Record<string, unknown> }> {
  const { accessToken, payload } = await tokenGrant(testEnv().issuer, username, password, options);
  return { accessToken, payload };
}

export interface GrantOptions {
  /**
   * How often to ask before giving up (default 4). With brute-force protection on, Keycloak refuses a
   * user's login while another login of the same user is in progress, with the same "Invalid user
   * credentials" as a wrong password (keycloak/keycloak#48272; its upgrading guide, "Concurrent login
   * requests are blocked by default when brute force is enabled"). Test files running in parallel sign
   * in as the same seeded users, so a refused grant is asked again after more than a second (two
   * failures within Keycloak's quick-login window of one second lock the user for a minute). A test
   * that expects the refusal passes 1.
   */
  attempts?: number;
}

/**
 * Resource-owner password grant on `issuer`'s `packytrace-cli` client: the access token, its decoded
 * payload and the refresh token (the log hygiene test searches for both tokens).
 */
export async function tokenGrant(
  issuer: string,
  username: string,
  password: string,
  { attempts = 4 }: GrantOptions = {},
): Promise<{ accessToken: string; refreshToken: string; payload: Record<string, unknown> }> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`${issuer}/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'packytrace-cli',
        username,
        password,
        scope: 'openid',
      }),
    });
    const body = (await response.json().catch(() => ({}))) as {
      access_token?: string;
      refresh_token?: string;
      error?: string;
      error_description?: string;
    };
    if (response.ok && body.access_token) return grantResult(body.access_token, body.refresh_token);
    if (body.error !== 'invalid_grant' || attempt >= attempts)
      throw new Error(
        `password grant for ${username} failed: ${response.status} ${body.error_description ?? ''}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 1_100 + Math.random() * 900));
  }
}

function grantResult(
  accessToken: string,
  refreshToken: string | undefined,
): { accessToken: string; refreshToken: string; payload: Record<string, unknown> } {
  const payload = JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as Record<
    string,
    unknown
  >;
  return { accessToken, refreshToken: refreshToken ?? '', payload };
}
