import { passwordGrant, testEnv } from '@packytrace/testing';
import { describe, expect, it } from 'vitest';

describe('Keycloak realm packytrace', () => {
  it('gives the seeded platform admin a token through packytrace-cli, with the configured issuer', async () => {
    const env = testEnv();
    const { payload } = await passwordGrant(env.adminEmail, env.adminPassword);
    expect(payload.iss).toBe(env.issuer);
    expect(payload.azp).toBe('packytrace-cli');
    expect(([] as string[]).concat(payload.aud as string | string[])).toContain('packytrace-api');
    expect((payload.realm_access as { roles: string[] }).roles).toContain('platform_admin');
  });

  it('publishes its signing keys (JWKS) at the issuer', async () => {
    const env = testEnv();
    const discovery = (await (await fetch(`${env.issuer}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
      jwks_uri: string;
    };
    expect(discovery.issuer).toBe(env.issuer);
    const jwks = (await (await fetch(discovery.jwks_uri)).json()) as {
      keys: { kty: string; alg?: string; use?: string }[];
    };
    expect(jwks.keys.some((k) => k.kty === 'RSA' && k.use === 'sig')).toBe(true);
  });

  it('refuses a wrong password', async () => {
    await expect(passwordGrant(testEnv().adminEmail, 'not-the-password')).rejects.toThrow(
      /Invalid user credentials/,
    );
  });
});
