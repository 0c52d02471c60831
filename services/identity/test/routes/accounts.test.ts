import { randomUUID } from 'node:crypto';
import { Topics } from '@packytrace/contracts';
import { adminDatabaseUrl, passwordGrant, readTopic } from '@packytrace/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningIdentity } from '../../src/service';
import { asGateway, freshEmail, startIdentity, STRONG_PASSWORD } from '../support';

let identity: RunningIdentity;
beforeAll(async () => {
  identity = await startIdentity();
});
afterAll(async () => identity?.close());

const post = (path: string, body: unknown, headers: Record<string, string>) =>
  fetch(`${identity.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });

describe('registration', () => {
  it('creates a Keycloak user whose id is the account id, links the visitor, and the user can sign in', async () => {
    const email = freshEmail();
    const visitorId = randomUUID();
    const response = await post(
      '/api/v1/accounts',
      { email, password: STRONG_PASSWORD, displayName: 'Ada' },
      asGateway({ visitorId }),
    );
    expect(response.status).toBe(201);
    const { accountId } = (await response.json()) as { accountId: string };

    const { payload } = await passwordGrant(email, STRONG_PASSWORD);
    expect(payload.sub).toBe(accountId);
    expect((payload.realm_access as { roles: string[] }).roles).toContain('consumer');

    const events = await readTopic<{ type: string; accountId: string; visitorId?: string }>(
      Topics.accounts,
      (seen) => seen.some((e) => e.type === 'VisitorLinkedToAccount' && e.accountId === accountId),
    );
    expect(events.filter((e) => e.accountId === accountId).map((e) => e.type)).toEqual([
      'AccountRegistered',
      'VisitorLinkedToAccount',
    ]);
    expect(
      events.find((e) => e.type === 'VisitorLinkedToAccount' && e.accountId === accountId)?.visitorId,
    ).toBe(visitorId);

    const me = await fetch(`${identity.url}/api/v1/me`, {
      headers: asGateway({ accountId, roles: ['consumer'] }),
    });
    expect(await me.json()).toEqual({ accountId, email, displayName: 'Ada', roles: ['consumer'] });
  });

  it('a Visitor ID longer than the events can carry is left unlinked and does not fail the sign-up', async () => {
    const response = await post(
      '/api/v1/accounts',
      { email: freshEmail(), password: STRONG_PASSWORD },
      asGateway({ visitorId: 'v'.repeat(101) }),
    );
    expect(response.status).toBe(201);
  });

  it('refuses a duplicate email with 409 email_taken, whatever its case', async () => {
    const email = freshEmail();
    expect((await post('/api/v1/accounts', { email, password: STRONG_PASSWORD }, asGateway())).status).toBe(
      201,
    );
    const again = await post(
      '/api/v1/accounts',
      { email: email.toUpperCase(), password: STRONG_PASSWORD },
      asGateway(),
    );
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: 'email_taken' });
  });

  it('refuses a password the realm policy rejects with 400 weak_password and the reason', async () => {
    const response = await post('/api/v1/accounts', { email: freshEmail(), password: 'short' }, asGateway());
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { code: string; detail: string };
    expect(problem.code).toBe('weak_password');
    expect(problem.detail).toBe('Invalid password: minimum length 10.');
  });

  it('refuses a malformed email with 400 invalid_email', async () => {
    const response = await post(
      '/api/v1/accounts',
      { email: 'not an email', password: STRONG_PASSWORD },
      asGateway(),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'invalid_email' });
  });

  it('removes the Keycloak user again when the account row cannot be written (compensation)', async () => {
    const email = freshEmail('orphan');
    // A stale row with this email (e.g. from an earlier Keycloak) makes the insert fail after the user exists.
    const admin = new pg.Client({ connectionString: adminDatabaseUrl() });
    await admin.connect();
    await admin.query('INSERT INTO identity.accounts (id, email) VALUES ($1, $2)', [randomUUID(), email]);
    await admin.end();

    const response = await post('/api/v1/accounts', { email, password: STRONG_PASSWORD }, asGateway());
    expect(response.status).toBe(409);
    await expect(passwordGrant(email, STRONG_PASSWORD, { attempts: 1 })).rejects.toThrow(/401|invalid/i);
  });

  it('refuses identity headers without the internal token', async () => {
    const response = await fetch(`${identity.url}/api/v1/me`, { headers: { 'x-account-id': randomUUID() } });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'untrusted_identity' });
  });
});
