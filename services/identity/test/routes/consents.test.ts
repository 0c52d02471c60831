import { randomUUID } from 'node:crypto';
import { Topics } from '@packytrace/contracts';
import { readTopic, roleDatabaseUrl } from '@packytrace/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningIdentity } from '../../src/service';
import { asGateway, freshEmail, startIdentity, STRONG_PASSWORD } from '../support';

let identity: RunningIdentity;
let accountId: string;
beforeAll(async () => {
  identity = await startIdentity({ PT_IDENTITY_SEED: false });
  const response = await fetch(`${identity.url}/api/v1/accounts`, {
    method: 'POST',
    headers: asGateway(),
    body: JSON.stringify({ email: freshEmail('consent'), password: STRONG_PASSWORD }),
  });
  accountId = ((await response.json()) as { accountId: string }).accountId;
});
afterAll(async () => identity?.close());

const putConsent = (purpose: string, body: unknown) =>
  fetch(`${identity.url}/api/v1/me/consents/${purpose}`, {
    method: 'PUT',
    headers: asGateway({ accountId }),
    body: JSON.stringify(body),
  });

describe('consent', () => {
  it('appends every decision, derives the current state from the latest, and announces each', async () => {
    expect((await putConsent('health_profile', { granted: true, policyVersion: 'v1' })).status).toBe(200);
    const withdrawn = await putConsent('health_profile', { granted: false });
    expect(await withdrawn.json()).toMatchObject({ granted: false, policyVersion: '2026-01' });

    const view = (await (
      await fetch(`${identity.url}/api/v1/me/consents`, { headers: asGateway({ accountId }) })
    ).json()) as {
      consents: Record<string, { granted: boolean }>;
      history: { granted: boolean; policyVersion: string; source: string }[];
    };
    expect(view.consents.health_profile?.granted).toBe(false);
    expect(view.consents.analytics).toEqual({ granted: false, policyVersion: null, changedAt: null });
    expect(view.history.map((h) => [h.granted, h.policyVersion])).toEqual([
      [true, 'v1'],
      [false, '2026-01'],
    ]);

    const internal = await fetch(`${identity.url}/internal/accounts/${accountId}/consents/health_profile`, {
      headers: asGateway(),
    });
    const state = (await internal.json()) as { granted: boolean; policyVersion: string; seq: number };
    expect(state).toMatchObject({ granted: false, policyVersion: '2026-01' });

    const events = await readTopic<{ type: string; accountId: string; consentSeq: number }>(
      Topics.consents,
      (seen) => seen.filter((e) => e.accountId === accountId).length >= 2,
    );
    // Sorted: other test files run identity instances whose relays share this outbox, and relays on
    // different instances do not keep per-key order (reported to the lead as a kit issue).
    expect(
      events
        .filter((e) => e.accountId === accountId)
        .map((e) => e.type)
        .sort(),
    ).toEqual(['ConsentGranted', 'ConsentWithdrawn']);
    // Each decision carries its sequence number, later ones larger; the current state names the latest.
    const seqOf = (type: string) =>
      events.find((e) => e.accountId === accountId && e.type === type)!.consentSeq;
    expect(seqOf('ConsentWithdrawn')).toBeGreaterThan(seqOf('ConsentGranted'));
    expect(state.seq).toBe(seqOf('ConsentWithdrawn'));
  });

  it('refuses an unknown purpose', async () => {
    const response = await putConsent('selling_data', { granted: true });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'unknown_purpose' });
  });

  it('cannot be rewritten: the service role can neither UPDATE, DELETE nor TRUNCATE the history', async () => {
    await putConsent('analytics', { granted: true });
    const asService = new pg.Client({ connectionString: roleDatabaseUrl('identity_svc') });
    await asService.connect();
    try {
      await expect(
        asService.query('UPDATE consent_events SET granted = false WHERE account_id = $1', [accountId]),
      ).rejects.toThrow(/append-only|permission denied/);
      await expect(
        asService.query('DELETE FROM consent_events WHERE account_id = $1', [accountId]),
      ).rejects.toThrow(/append-only|permission denied/);
      await expect(asService.query('TRUNCATE consent_events CASCADE')).rejects.toThrow(
        /append-only|permission denied/,
      );
      const { rows } = await asService.query(
        'SELECT granted FROM consent_events WHERE account_id = $1 AND purpose = $2',
        [accountId, 'analytics'],
      );
      expect(rows).toEqual([{ granted: true }]);
    } finally {
      await asService.end();
    }
  });

  it('internal consent for an account that never decided is not granted', async () => {
    const response = await fetch(
      `${identity.url}/internal/accounts/${randomUUID()}/consents/health_profile`,
      { headers: asGateway() },
    );
    expect(await response.json()).toEqual({ granted: false, policyVersion: null });
  });

  it('the internal route answers 400 invalid_request for an account id that is not a plain UUID', async () => {
    const response = await fetch(
      `${identity.url}/internal/accounts/urn:uuid:${accountId}/consents/health_profile`,
      { headers: asGateway() },
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'invalid_request' });
  });

  it('the internal route is refused without the internal token', async () => {
    const response = await fetch(`${identity.url}/internal/accounts/${accountId}/consents/health_profile`);
    expect(response.status).toBe(403);
  });
});
