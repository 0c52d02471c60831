import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { INTERNAL_TOKEN_HEADER } from '@packytrace/contracts';
import { quietLogger, roleDatabaseUrl, TEST_INTERNAL_SECRET, testEnv } from '@packytrace/testing';
import { loadConfig, type IdentityConfig } from '../src/config';
import { startIdentityService, type RunningIdentity } from '../src/service';

/** Settings for an identity service on the test database, the real Keycloak and Kafka. */
export function identityTestConfig(overrides: Partial<IdentityConfig> = {}): IdentityConfig {
  const env = testEnv();
  return {
    ...loadConfig({
      PT_HTTP_PORT: '0',
      PT_DB_URL: roleDatabaseUrl('identity_svc'),
      PT_INTERNAL_SECRET: TEST_INTERNAL_SECRET,
      PT_KAFKA_BROKERS: env.kafkaBrokers.join(','),
      PT_KEYCLOAK_URL: env.keycloakUrl,
      PT_IDENTITY_CLIENT_SECRET: env.identityClientSecret,
    }),
    ...overrides,
  };
}

export function startIdentity(overrides: Partial<IdentityConfig> = {}): Promise<RunningIdentity> {
  return startIdentityService(identityTestConfig(overrides), quietLogger('identity'));
}

/** Headers the gateway would send for a signed-in account. */
export function asGateway(
  identity: { accountId?: string; visitorId?: string; roles?: string[] } = {},
): Record<string, string> {
  const headers: Record<string, string> = {
    [INTERNAL_TOKEN_HEADER]: TEST_INTERNAL_SECRET,
    'content-type': 'application/json',
  };
  if (identity.accountId) headers['x-account-id'] = identity.accountId;
  if (identity.visitorId) headers['x-visitor-id'] = identity.visitorId;
  if (identity.roles) headers['x-roles'] = identity.roles.join(',');
  return headers;
}

export const freshEmail = (label = 'user') => `${label}-${randomUUID()}@test.packytrace.example`;
export const STRONG_PASSWORD = 'Correct-horse-42';

/** A random 12-digit prefix outside the demo Brands' ranges (98…). */
export const freshPrefix = () => `98${String(Math.floor(Math.random() * 1e10)).padStart(10, '0')}`;

/** A request to Keycloak as the proxy sees it. */
export interface ProxiedRequest {
  method: string;
  path: string;
  body: string;
}

export interface InterceptionPlan {
  /** Holds the request at the proxy until `release()`, before Keycloak sees it. */
  holdBefore?: boolean;
  /** Holds Keycloak's answer at the proxy until `release()`. */
  holdAfter?: boolean;
  /** What the client gets once Keycloak has answered: the answer, a reset connection, or nothing ever. */
  answer: 'forward' | 'reset' | 'withhold';
}

export interface Interception {
  /** Resolves when the request reached the proxy. */
  arrived: Promise<void>;
  /** Resolves with Keycloak's status once Keycloak has answered (and so has done its work). */
  answered: Promise<number>;
  release(): void;
}

export interface KeycloakProxy {
  url: string;
  /** The next request that `matches` is handled by `plan`; every other request passes through. */
  intercept(matches: (request: ProxiedRequest) => boolean, plan: InterceptionPlan): Interception;
  close(): Promise<void>;
}

/** The Admin API call that creates the realm user with this email. */
export const userCreationOf =
  (email: string) =>
  ({ method, path, body }: ProxiedRequest): boolean =>
    method === 'POST' &&
    /\/admin\/realms\/[^/]+\/users\/?$/.test(path) &&
    (JSON.parse(body) as { email?: string }).email === email.toLowerCase();

const HOP_BY_HOP = [
  'host',
  'connection',
  'keep-alive',
  'content-length',
  'transfer-encoding',
  'content-encoding',
];
function forwardable(headers: IncomingHttpHeaders | Headers): [string, string][] {
  const pairs: [string, unknown][] = [];
  if (headers instanceof Headers) headers.forEach((value, name) => pairs.push([name, value]));
  else pairs.push(...Object.entries(headers));
  return pairs.filter(
    (pair): pair is [string, string] => typeof pair[1] === 'string' && !HOP_BY_HOP.includes(pair[0]),
  );
}

/**
 * A pass-through HTTP proxy in front of the real Keycloak that can lose Keycloak's answer to one
 * request, deterministically: the request reaches Keycloak, which does its work, and the client sees a
 * reset connection or a timeout instead of the answer.
 */
export async function startKeycloakProxy(): Promise<KeycloakProxy> {
  const upstream = testEnv().keycloakUrl;
  const pending: { matches: (request: ProxiedRequest) => boolean; plan: InterceptionPlan; run: Runner }[] =
    [];
  type Runner = (forward: () => Promise<Response>) => Promise<Response | undefined>;

  const server = createServer((req, res) => {
    void (async () => {
      const body = Buffer.concat(await req.toArray()).toString();
      const request = { method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0]!, body };
      const forward = () =>
        fetch(new URL(req.url ?? '/', upstream), {
          method: request.method,
          headers: forwardable(req.headers),
          body: body === '' ? undefined : body,
          redirect: 'manual',
        });
      const index = pending.findIndex((p) => {
        try {
          return p.matches(request);
        } catch {
          return false;
        }
      });
      const answer = index < 0 ? await forward() : await pending.splice(index, 1)[0]!.run(forward);
      if (!answer) return;
      const payload = Buffer.from(await answer.arrayBuffer());
      res.writeHead(answer.status, forwardable(answer.headers)).end(payload);
    })().catch(() => res.socket?.resetAndDestroy()); // a reset connection (TCP RST), as a broken network gives
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    intercept(matches, plan) {
      let arrive!: () => void;
      let answer!: (status: number) => void;
      let release!: () => void;
      const arrived = new Promise<void>((resolve) => (arrive = resolve));
      const answered = new Promise<number>((resolve) => (answer = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      pending.push({
        matches,
        plan,
        run: async (forward) => {
          arrive();
          if (plan.holdBefore) await released;
          const response = await forward();
          await response.clone().arrayBuffer(); // Keycloak's work is done once its answer is complete
          answer(response.status);
          if (plan.holdAfter) await released;
          if (plan.answer === 'forward') return response;
          if (plan.answer === 'reset') throw new Error('connection reset by the test proxy');
          return new Promise<undefined>(() => undefined); // withheld until the client gives up
        },
      });
      return { arrived, answered, release };
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
