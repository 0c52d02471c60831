import { withKeycloakUser } from '@packytrace/testing';
import { describe, expect, it } from 'vitest';

const keycloakUrl = process.env.PT_KEYCLOAK_URL ?? 'http://localhost:8081';
const issuer = process.env.PT_KEYCLOAK_ISSUER ?? `${keycloakUrl}/realms/packytrace`;
const tokenEndpoint = `${issuer}/protocol/openid-connect/token`;

async function token(form: Record<string, string>): Promise<Record<string, unknown>> {
  const response = await fetch(tokenEndpoint, { method: 'POST', body: new URLSearchParams(form) });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`token request failed ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

function claims(jwt: unknown): Record<string, unknown> {
  return JSON.parse(Buffer.from(String(jwt).split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >;
}

const adminLogin = {
  grant_type: 'password',
  client_id: 'packytrace-cli',
  username: process.env.PT_ADMIN_EMAIL ?? 'admin@packytrace.local',
  password: process.env.PT_ADMIN_PASSWORD ?? 'packytrace-admin',
};

describe('the packytrace realm (real Keycloak)', () => {
  it('gives the seeded admin an API token with the public issuer and the packytrace-api audience', async () => {
    const access = claims((await token(adminLogin)).access_token);
    expect(access.iss).toBe(issuer);
    expect([access.aud].flat()).toContain('packytrace-api');
    expect((access.realm_access as { roles: string[] }).roles).toContain('platform_admin');
  });

  it('issues access tokens that live 300 seconds', async () => {
    const access = claims((await token(adminLogin)).access_token);
    expect(Number(access.exp) - Number(access.iat)).toBe(300);
  });

  it('does not allow the password grant for the web client', async () => {
    await expect(token({ ...adminLogin, client_id: 'packytrace-web' })).rejects.toThrow(
      /invalid_client|unauthorized_client/,
    );
  });

  async function identityServiceHeaders(): Promise<Record<string, string>> {
    const { access_token } = await token({
      grant_type: 'client_credentials',
      client_id: 'identity-service',
      client_secret: process.env.PT_IDENTITY_CLIENT_SECRET ?? 'identity-service-dev-secret',
    });
    return { authorization: `Bearer ${String(access_token)}`, 'content-type': 'application/json' };
  }

  it('lets identity-service list users and realm roles through the Admin API', async () => {
    const headers = await identityServiceHeaders();
    const users = await fetch(`${keycloakUrl}/admin/realms/packytrace/users?max=5`, { headers });
    expect(users.status).toBe(200);
    const roles = (await (
      await fetch(`${keycloakUrl}/admin/realms/packytrace/roles`, { headers })
    ).json()) as { name: string }[];
    expect(roles.map((role) => role.name)).toEqual(
      expect.arrayContaining(['consumer', 'brand_user', 'platform_admin']),
    );
  });

  it('gives a user created by identity-service the consumer role by default, and lets it add brand_user', async () => {
    const headers = await identityServiceHeaders();
    const admin = `${keycloakUrl}/admin/realms/packytrace`;
    const email = `realm-probe-${Date.now()}@example.com`;
    const created = await fetch(`${admin}/users`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ username: email, email, enabled: true, firstName: 'Realm', lastName: 'Probe' }),
    });
    expect(created.status).toBe(201);
    const userUrl = String(created.headers.get('location'));
    try {
      const brandUser = await (await fetch(`${admin}/roles/brand_user`, { headers })).json();
      const mapped = await fetch(`${userUrl}/role-mappings/realm`, {
        method: 'POST',
        headers,
        body: JSON.stringify([brandUser]),
      });
      expect(mapped.status).toBe(204);
      const effective = (await (
        await fetch(`${userUrl}/role-mappings/realm/composite`, { headers })
      ).json()) as { name: string }[];
      expect(effective.map((role) => role.name)).toEqual(expect.arrayContaining(['consumer', 'brand_user']));
    } finally {
      await fetch(userUrl, { method: 'DELETE', headers });
    }
  });

  it('rejects a wrong password', async () => {
    await withKeycloakUser(async ({ email }) => {
      // RFC 6749 §5.2: bad resource-owner credentials are a 400 invalid_grant
      await expect(token({ ...adminLogin, username: email, password: 'not-the-password' })).rejects.toThrow(
        /400.*invalid_grant/,
      );
    });
  });

  it('lets a user created with only an email and a password sign in (no first or last name is required)', async () => {
    // Keycloak's default user profile requires both names before a login completes ("Account is not fully
    // set up"); the realm's own profile makes them optional, as Identity keeps the display name itself.
    await withKeycloakUser(async ({ id, email, password }) => {
      const headers = await identityServiceHeaders();
      const user = (await (
        await fetch(`${keycloakUrl}/admin/realms/packytrace/users/${id}`, { headers })
      ).json()) as Record<string, unknown>;
      expect(user.firstName).toBeUndefined();
      expect(user.lastName).toBeUndefined();
      const access = claims((await token({ ...adminLogin, username: email, password })).access_token);
      expect(access.sub).toBe(id);
    });
  });
});
