import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJwtVerifier } from '../../src/auth/jwt';

const ISSUER = 'http://localhost:8081/realms/packytrace';
const KID = 'verifier-test-key';
let privateKey: CryptoKey;
let jwks: Server;
let jwksUrl: string;
let jwksFetches = 0;
let jwksDelayMs = 0;
/** How the key endpoint answers: its keys, a 502 from a proxy in front of it, or a page that is not JSON. */
let jwksAnswer: 'keys' | 'bad-gateway' | 'not-json' | 'not-a-key-set' = 'keys';

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
  jwks = createServer((_req, res) => {
    jwksFetches++;
    setTimeout(() => {
      if (jwksAnswer === 'bad-gateway')
        res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>502</h1>');
      else if (jwksAnswer === 'not-json') res.writeHead(200, { 'content-type': 'text/html' }).end('<html>');
      else if (jwksAnswer === 'not-a-key-set')
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":"none"}');
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    }, jwksDelayMs);
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/certs`;
});
afterAll(() => {
  jwks.closeAllConnections();
  jwks.close();
});

async function token(claims: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: ISSUER,
    sub: randomUUID(),
    aud: 'packytrace-api',
    azp: 'packytrace-cli',
    typ: 'Bearer',
    iat: now,
    exp: now + 300,
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: KID })
    .sign(privateKey);
}

const verifier = (cacheMax?: number) =>
  createJwtVerifier({
    jwksUrl,
    issuer: ISSUER,
    audience: 'packytrace-api',
    allowedClients: ['packytrace-cli'],
    cacheMax,
  });

describe('createJwtVerifier with its verification cache', () => {
  it('answers a repeated token from the cache with the same caller', async () => {
    const verify = verifier();
    const sent = await token({ realm_access: { roles: ['consumer'] } });
    const first = await verify(sent);
    const again = await Promise.all([verify(sent), verify(sent)]);
    expect(again).toEqual([first, first]);
    expect(first.roles).toEqual(['consumer']);
  });

  it('still refuses a tampered copy of a cached token', async () => {
    const verify = verifier();
    const sent = await token();
    await verify(sent);
    const [header, , signature] = sent.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ iss: ISSUER, sub: randomUUID(), aud: 'packytrace-api', azp: 'packytrace-cli', exp: 9999999999, iat: 1 })).toString('base64url')}.${signature}`;
    await expect(verify(forged)).rejects.toMatchObject({ status: 401, code: 'invalid_token' });
    await expect(verify(forged)).rejects.toMatchObject({ status: 401, code: 'invalid_token' });
  });

  it('refuses a token of another client every time, cache or not', async () => {
    for (const verify of [verifier(), verifier(0)]) {
      const sent = await token({ azp: 'identity-service' });
      await expect(verify(sent)).rejects.toMatchObject({ status: 401 });
      await expect(verify(sent)).rejects.toMatchObject({ status: 401 });
    }
  });

  it('does not remember that the keys were unreachable: the same token passes once they answer', async () => {
    const verify = verifier();
    const sent = await token();
    jwksDelayMs = 2_500; // beyond the verifier's 2 s JWKS timeout
    const before = jwksFetches;
    await expect(verify(sent)).rejects.toMatchObject({ status: 503 });
    jwksDelayMs = 0;
    expect(jwksFetches).toBe(before + 1);
    await expect(verify(sent)).resolves.toMatchObject({ roles: [] });
  }, 10_000);

  it.each(['bad-gateway', 'not-json', 'not-a-key-set'] as const)(
    'answers 503, not 401, while the key endpoint answers %s, and accepts the token once it recovers',
    async (answer) => {
      const verify = verifier();
      const sent = await token();
      jwksAnswer = answer;
      try {
        await expect(verify(sent)).rejects.toMatchObject({ status: 503, code: 'upstream_unavailable' });
      } finally {
        jwksAnswer = 'keys';
      }
      await expect(verify(sent)).resolves.toMatchObject({ roles: [] });
    },
  );
});
