import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { passwordGrant, testEnv } from '@packytrace/testing';
import { exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../services/gateway/src/service';
import { closeServer, startEchoUpstream, startTestGateway } from './support';

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

let echo: Awaited<ReturnType<typeof startEchoUpstream>>;
let realGateway: RunningGateway; // verifies against Keycloak's real JWKS
let ownKeyGateway: RunningGateway; // trusts a test key, to check the claim rules with valid signatures
let jwksServer: Server;
let testKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
const testKid = 'test-key-1';
let realToken: string;
let realPayload: Record<string, unknown>;

beforeAll(async () => {
  echo = await startEchoUpstream();
  const pair = await generateKeyPair('RS256', { extractable: true });
  testKey = pair.privateKey;
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: testKid, alg: 'RS256', use: 'sig' };
  jwksServer = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] })),
  );
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/certs`;
  realGateway = await startTestGateway({ PT_PASSPORT_URL: echo.url });
  ownKeyGateway = await startTestGateway({ PT_PASSPORT_URL: echo.url, PT_KEYCLOAK_JWKS_URL: jwksUrl });
  const env = testEnv();
  ({ accessToken: realToken, payload: realPayload } = await passwordGrant(env.adminEmail, env.adminPassword));
});
afterAll(async () => {
  await realGateway?.close();
  await ownKeyGateway?.close();
  await echo?.close();
  if (jwksServer) await closeServer(jwksServer);
});

async function statusWith(
  gateway: RunningGateway,
  token: string,
): Promise<{ status: number; code?: string; accountId?: string }> {
  const response = await fetch(`${gateway.url}/api/v1/me/scans`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = (await response.json()) as { code?: string; headers?: Record<string, string> };
  return { status: response.status, code: body.code, accountId: body.headers?.['x-account-id'] };
}

/** A token signed by the trusted test key with the claims Keycloak would put in, plus overrides. */
async function testToken(overrides: Record<string, unknown> = {}, omit: string[] = []): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: testEnv().issuer,
    sub: randomUUID(),
    aud: ['packytrace-api', 'account'],
    azp: 'packytrace-cli',
    typ: 'Bearer',
    iat: now,
    exp: now + 300,
    realm_access: { roles: ['consumer'] },
    ...overrides,
  };
  for (const name of omit) delete claims[name];
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: testKid, typ: 'JWT' }).sign(testKey);
}

describe("JWT verification against Keycloak's keys", () => {
  it('accepts a real access token and forwards its subject', async () => {
    expect(await statusWith(realGateway, realToken)).toMatchObject({
      status: 200,
      accountId: realPayload.sub,
    });
  });

  it('refuses alg none', async () => {
    const [header] = realToken.split('.');
    const decoded = JSON.parse(Buffer.from(header!, 'base64url').toString()) as Record<string, unknown>;
    const token = `${b64({ ...decoded, alg: 'none' })}.${b64(realPayload)}.`;
    expect(await statusWith(realGateway, token)).toMatchObject({ status: 401, code: 'invalid_token' });
    expect(
      await statusWith(realGateway, `${b64({ ...decoded, alg: 'none' })}.${b64(realPayload)}`),
    ).toMatchObject({ status: 401 });
  });

  it("refuses HS256 keyed with the realm's public key (algorithm confusion)", async () => {
    const certs = (await (await fetch(`${testEnv().issuer}/protocol/openid-connect/certs`)).json()) as {
      keys: (JWK & { use?: string })[];
    };
    const kid = JSON.parse(Buffer.from(realToken.split('.')[0]!, 'base64url').toString()).kid as string;
    const jwk = certs.keys.find((k) => k.kid === kid)!;
    const publicKey = (await importJWK({ ...jwk, alg: 'RS256' }, 'RS256', { extractable: true })) as Awaited<
      ReturnType<typeof generateKeyPair>
    >['publicKey'];
    const pem = await exportSPKI(publicKey);
    const token = await new SignJWT(realPayload)
      .setProtectedHeader({ alg: 'HS256', kid })
      .sign(new TextEncoder().encode(pem));
    expect(await statusWith(realGateway, token)).toMatchObject({ status: 401, code: 'invalid_token' });
  });

  it("refuses a token signed by a foreign key that claims the realm key's kid", async () => {
    const kid = JSON.parse(Buffer.from(realToken.split('.')[0]!, 'base64url').toString()).kid as string;
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const token = await new SignJWT(realPayload).setProtectedHeader({ alg: 'RS256', kid }).sign(privateKey);
    expect(await statusWith(realGateway, token)).toMatchObject({ status: 401, code: 'invalid_token' });
  });

  it('refuses a tampered payload (another subject with the original signature)', async () => {
    const [header, , signature] = realToken.split('.');
    const token = `${header}.${b64({ ...realPayload, sub: randomUUID() })}.${signature}`;
    expect(await statusWith(realGateway, token)).toMatchObject({ status: 401, code: 'invalid_token' });
  });

  it('refuses garbage and non-Bearer schemes, never falling back to anonymous', async () => {
    for (const token of ['garbage', 'a.b.c', `${realToken}x`, '']) {
      expect((await statusWith(realGateway, token)).status).toBe(401);
    }
    const basic = await fetch(`${realGateway.url}/api/v1/products`, {
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    });
    expect(basic.status).toBe(401);
    expect(basic.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });
});

describe('JWT claim rules (valid signatures from a trusted test key)', () => {
  it('accepts a well-formed token', async () => {
    expect((await statusWith(ownKeyGateway, await testToken())).status).toBe(200);
  });

  const now = () => Math.floor(Date.now() / 1000);
  const cases: [string, () => Promise<string>][] = [
    ['expired beyond the skew', () => testToken({ exp: now() - 120, iat: now() - 600 })],
    ['nbf in the future beyond the skew', () => testToken({ nbf: now() + 300 })],
    ['wrong issuer', () => testToken({ iss: 'http://localhost:8081/realms/master' })],
    ['missing aud', () => testToken({}, ['aud'])],
    ['wrong aud', () => testToken({ aud: 'account' })],
    ['missing azp', () => testToken({}, ['azp'])],
    ['azp of another client', () => testToken({ azp: 'identity-service' })],
    ['missing sub', () => testToken({}, ['sub'])],
    ['missing exp', () => testToken({}, ['exp'])],
    ['an ID token (typ ID)', () => testToken({ typ: 'ID' })],
  ];
  for (const [name, make] of cases) {
    it(`refuses ${name} with 401 invalid_token`, async () => {
      expect(await statusWith(ownKeyGateway, await make())).toMatchObject({
        status: 401,
        code: 'invalid_token',
      });
    });
  }

  it('tolerates a small clock skew', async () => {
    expect((await statusWith(ownKeyGateway, await testToken({ exp: now() - 5 }))).status).toBe(200);
  });
});
