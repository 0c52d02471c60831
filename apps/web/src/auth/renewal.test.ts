import { describe, expect, it } from 'vitest';
import { renewRetryDelay, sessionEnded } from './renewal';

/** What oidc-client-ts throws for an OAuth error answer (its ErrorResponse). */
const oauthError = (error: string) => Object.assign(new Error(error), { name: 'ErrorResponse', error });

describe('a failed token renewal', () => {
  it('ends the session when Keycloak refuses the refresh token or the session', () => {
    expect(sessionEnded(oauthError('invalid_grant'))).toBe(true);
    expect(sessionEnded(oauthError('login_required'))).toBe(true);
  });

  it('keeps the session through a dropped connection, a timeout or a Keycloak outage', () => {
    expect(sessionEnded(new TypeError('Failed to fetch'))).toBe(false);
    expect(sessionEnded(Object.assign(new Error('Request timed out'), { name: 'ErrorTimeout' }))).toBe(false);
    expect(sessionEnded(oauthError('temporarily_unavailable'))).toBe(false);
    expect(sessionEnded(new Error('Invalid response Content-Type: text/html'))).toBe(false);
    expect(sessionEnded(undefined)).toBe(false);
  });

  it('is tried again sooner first, then at most every five minutes', () => {
    expect([1, 2, 3, 4, 10].map(renewRetryDelay)).toEqual([5, 10, 20, 40, 300]);
  });
});
