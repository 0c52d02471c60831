import { passwordGrant, testEnv, withKeycloakUser } from '@packytrace/testing';
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
    await expect(passwordGrant(testEnv().adminEmail, 'not-the-password', { attempts: 1 })).rejects.toThrow(
      /Invalid user credentials/,
    );
  });

  it('signs one user in from several clients at once (the test helper asks again when Keycloak refuses)', async () => {
    // With brute-force protection on, Keycloak refuses a login while another of the same user is in
    // progress; parallel test files sign in as the same seeded users, so tokenGrant retries a refusal.
    await withKeycloakUser(async ({ id, email, password }) => {
      const grants = await Promise.all([1, 2, 3].map(() => passwordGrant(email, password)));
      expect(grants.map((g) => g.payload.sub)).toEqual([id, id, id]);
    });
  });
});
