import { randomUUID } from 'node:crypto';
import type { ConsentWithdrawn } from '@packytrace/contracts';
import { EventProducer, newEvent } from '@packytrace/service-kit';
import { adminDatabaseUrl, testEnv, waitFor } from '@packytrace/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPersonalization } from '../../src/service';
import { asGateway, call, closedPort, fakeIdentity, startPersonalization } from '../support';

const profile = { allergens: ['peanuts', 'milk'], diets: ['vegetarian'], limits: { sugars: 12.5, salt: 1 } };
const granted = new Set<string>();
const seqs = new Map<string, number>();
let identity: Awaited<ReturnType<typeof fakeIdentity>>;
let service: RunningPersonalization;
let admin: pg.Client;

beforeAll(async () => {
  identity = await fakeIdentity({ granted, seqs });
  service = await startPersonalization({ PT_IDENTITY_URL: identity.url });
  admin = new pg.Client({ connectionString: adminDatabaseUrl() });
  await admin.connect();
});
afterAll(async () => {
  await service?.close();
  await identity?.close();
  await admin?.end();
});

const grantedAccount = () => {
  const id = randomUUID();
  granted.add(id);
  return id;
};
const storedRows = async (accountId: string) =>
  (
    await admin.query('SELECT ciphertext FROM personalization.health_profiles WHERE account_id = $1', [
      accountId,
    ])
  ).rows;

describe('Health Profiles', () => {
  it('stores a profile when health_profile consent is granted, and gives it back', async () => {
    const account = grantedAccount();
    const put = await call(service.url, 'PUT', '/api/v1/me/profile', {
      headers: asGateway(account),
      body: profile,
    });
    expect(put.status).toBe(200);
    const got = await call(service.url, 'GET', '/api/v1/me/profile', { headers: asGateway(account) });
    expect(got).toEqual({ status: 200, body: profile });
  });

  it('keeps the profile encrypted at rest', async () => {
    const account = grantedAccount();
    await call(service.url, 'PUT', '/api/v1/me/profile', { headers: asGateway(account), body: profile });
    const [row] = await storedRows(account);
    expect(row.ciphertext).toBeInstanceOf(Buffer);
    expect(row.ciphertext.toString('latin1')).not.toMatch(/peanuts|vegetarian|sugars/);
  });

  it('refuses with 403 consent_required without consent, storing nothing', async () => {
    const account = randomUUID();
    const put = await call(service.url, 'PUT', '/api/v1/me/profile', {
      headers: asGateway(account),
      body: profile,
    });
    expect(put.status).toBe(403);
    expect(put.body.code).toBe('consent_required');
    expect(await storedRows(account)).toHaveLength(0);
    expect(
      (await call(service.url, 'GET', '/api/v1/me/profile', { headers: asGateway(account) })).body.code,
    ).toBe('profile_not_found');
  });

  it('answers 503 identity_unavailable when Identity is stopped, storing nothing', async () => {
    const stoppedIdentity = await startPersonalization({
      PT_IDENTITY_URL: `http://127.0.0.1:${await closedPort()}`,
    });
    try {
      const account = grantedAccount();
      const put = await call(stoppedIdentity.url, 'PUT', '/api/v1/me/profile', {
        headers: asGateway(account),
        body: profile,
      });
      expect(put.status).toBe(503);
      expect(put.body.code).toBe('identity_unavailable');
      expect(await storedRows(account)).toHaveLength(0);
    } finally {
      await stoppedIdentity.close();
    }
  });

  it('answers 503 identity_unavailable when Identity is too slow, storing nothing', async () => {
    const slow = await fakeIdentity({ granted, delayMs: 1_500 });
    const slowService = await startPersonalization({
      PT_IDENTITY_URL: slow.url,
      PT_IDENTITY_TIMEOUT_MS: 200,
    });
    try {
      const account = grantedAccount();
      const put = await call(slowService.url, 'PUT', '/api/v1/me/profile', {
        headers: asGateway(account),
        body: profile,
      });
      expect(put.status).toBe(503);
      expect(await storedRows(account)).toHaveLength(0);
    } finally {
      await slowService.close();
      await slow.close();
    }
  });

  it('refuses a profile outside the contract (unknown allergen, unknown field)', async () => {
    const account = grantedAccount();
    const bad = await call(service.url, 'PUT', '/api/v1/me/profile', {
      headers: asGateway(account),
      body: { ...profile, allergens: ['kryptonite'] },
    });
    expect(bad.status).toBe(400);
    const extra = await call(service.url, 'PUT', '/api/v1/me/profile', {
      headers: asGateway(account),
      body: { ...profile, bloodType: 'A' },
    });
    expect(extra.status).toBe(400);
  });

  it('deletes a profile with 204, and again with 204', async () => {
    const account = grantedAccount();
    await call(service.url, 'PUT', '/api/v1/me/profile', { headers: asGateway(account), body: profile });
    expect(
      (await call(service.url, 'DELETE', '/api/v1/me/profile', { headers: asGateway(account) })).status,
    ).toBe(204);
    expect(
      (await call(service.url, 'GET', '/api/v1/me/profile', { headers: asGateway(account) })).status,
    ).toBe(404);
    expect(
      (await call(service.url, 'DELETE', '/api/v1/me/profile', { headers: asGateway(account) })).status,
    ).toBe(204);
  });

  it('needs a signed-in caller', async () => {
    expect((await call(service.url, 'GET', '/api/v1/me/profile')).status).toBe(401);
  });

  it('deletes the profile when health_profile consent is withdrawn, once, and not for other purposes', async () => {
    const keeps = grantedAccount();
    const withdraws = grantedAccount();
    for (const account of [keeps, withdraws]) {
      await call(service.url, 'PUT', '/api/v1/me/profile', { headers: asGateway(account), body: profile });
    }
    const withdrawal = (accountId: string, purpose: string) =>
      newEvent<ConsentWithdrawn>({ type: 'ConsentWithdrawn', accountId, purpose, policyVersion: '2026-01' });
    const analytics = withdrawal(keeps, 'analytics');
    const health = withdrawal(withdraws, 'health_profile');
    // one key, so one partition: the analytics withdrawal is consumed before the health one
    const key = randomUUID();
    const producer = new EventProducer({ brokers: testEnv().kafkaBrokers, clientId: 'test-identity' });
    try {
      await producer.publish([
        { topic: 'identity.consents.v1', key, event: analytics },
        { topic: 'identity.consents.v1', key, event: health },
        { topic: 'identity.consents.v1', key, event: health },
      ]);
    } finally {
      await producer.close();
    }
    await waitFor(
      async () => (await storedRows(withdraws)).length === 0,
      30_000,
      'the profile to be deleted',
    );
    expect(
      (await call(service.url, 'GET', '/api/v1/me/profile', { headers: asGateway(withdraws) })).status,
    ).toBe(404);
    expect(await storedRows(keeps)).toHaveLength(1);
    const inbox = await admin.query(
      'SELECT count(*)::int AS n FROM personalization.inbox WHERE event_id = $1',
      [health.eventId],
    );
    expect(inbox.rows[0].n).toBe(1);
  });
});

describe('a Health Profile against a racing withdrawal (ordered by consent sequence numbers, not clocks)', () => {
  const withdrawal = (accountId: string, consentSeq: number, occurredAt = new Date().toISOString()) => ({
    ...newEvent<ConsentWithdrawn>({
      type: 'ConsentWithdrawn',
      accountId,
      purpose: 'health_profile',
      policyVersion: '2026-01',
      consentSeq,
    }),
    occurredAt,
  });
  const publish = async (event: ConsentWithdrawn) => {
    const producer = new EventProducer({ brokers: testEnv().kafkaBrokers, clientId: 'test-identity' });
    try {
      await producer.publish([{ topic: 'identity.consents.v1', key: event.accountId, event }]);
    } finally {
      await producer.close();
    }
  };
  const applied = async (event: ConsentWithdrawn) =>
    waitFor(
      async () =>
        (await admin.query('SELECT 1 FROM personalization.inbox WHERE event_id = $1', [event.eventId]))
          .rowCount === 1,
      30_000,
      'the withdrawal to be applied',
    );
  const accountWithGrant = (seq: number) => {
    const id = grantedAccount();
    seqs.set(id, seq);
    return id;
  };
  const put = (account: string) =>
    call(service.url, 'PUT', '/api/v1/me/profile', { headers: asGateway(account), body: profile });

  it('refuses a save checked against a grant that an already applied withdrawal superseded', async () => {
    const account = accountWithGrant(5);
    const event = withdrawal(account, 6);
    await publish(event);
    await applied(event);
    // Identity answered "granted (decision 5)" just before the withdrawal (decision 6) was made.
    const answer = await put(account);
    expect(answer.status).toBe(403);
    expect(answer.body.code).toBe('consent_required');
    expect(await storedRows(account)).toHaveLength(0);
  });

  it('deletes a profile resting on an older grant even when its save is later by the clocks', async () => {
    const account = accountWithGrant(5);
    expect((await put(account)).status).toBe(200);
    // Identity's clock a minute behind the database's: by time the save looks newer than the withdrawal.
    const event = withdrawal(account, 6, new Date(Date.now() - 60_000).toISOString());
    await publish(event);
    await applied(event);
    expect(await storedRows(account)).toHaveLength(0);
  });

  it('keeps a profile saved after a re-grant when an older withdrawal arrives late', async () => {
    const account = accountWithGrant(7);
    expect((await put(account)).status).toBe(200);
    const late = withdrawal(account, 6, new Date(Date.now() + 1_000).toISOString());
    await publish(late);
    await applied(late);
    expect(await storedRows(account)).toHaveLength(1);
  });
});
