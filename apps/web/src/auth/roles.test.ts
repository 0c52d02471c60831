import { describe, expect, it } from 'vitest';
import { realmRoles } from './roles';

const jwt = (payload: object) =>
  ['e30', Buffer.from(JSON.stringify(payload)).toString('base64url'), 'sig'].join('.');

describe('realm roles from a Keycloak access token', () => {
  it('reads realm_access.roles', () => {
    expect(realmRoles(jwt({ realm_access: { roles: ['consumer', 'brand_user'] }, name: 'Jürgen' }))).toEqual([
      'consumer',
      'brand_user',
    ]);
  });

  it('is empty for a missing claim, a missing token or garbage', () => {
    expect(realmRoles(jwt({ sub: 'x' }))).toEqual([]);
    expect(realmRoles(undefined)).toEqual([]);
    expect(realmRoles('not-a-token')).toEqual([]);
    expect(realmRoles('a.%%%.c')).toEqual([]);
  });
});
