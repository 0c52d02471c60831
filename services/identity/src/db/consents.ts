import type { ConsentRecord } from '@packytrace/contracts';
import type { Pool, PoolClient } from '@packytrace/service-kit';

type Queryable = Pick<PoolClient, 'query'>;

/**
 * Appends one consent decision; the table refuses UPDATE and DELETE (migration 001). The account's
 * row is locked first, so an account's decisions get their sequence numbers (`seq`, the row id) in
 * the order they commit: consumers order decisions by it, not by clocks.
 */
export async function appendConsent(
  db: Queryable,
  record: { accountId: string; purpose: string; granted: boolean; policyVersion: string; source: string },
): Promise<ConsentRecord & { seq: number }> {
  await db.query('SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE', [record.accountId]);
  const { rows } = await db.query<{ id: string; recorded_at: Date }>(
    `INSERT INTO consent_events (account_id, purpose, granted, policy_version, source)
     VALUES ($1, $2, $3, $4, $5) RETURNING id, recorded_at`,
    [record.accountId, record.purpose, record.granted, record.policyVersion, record.source],
  );
  return {
    seq: Number(rows[0]!.id),
    purpose: record.purpose,
    granted: record.granted,
    policyVersion: record.policyVersion,
    source: record.source,
    changedAt: rows[0]!.recorded_at.toISOString(),
  };
}

/** The account's consent history, oldest first. */
export async function consentHistory(pool: Pool, accountId: string): Promise<ConsentRecord[]> {
  const { rows } = await pool.query<{
    purpose: string;
    granted: boolean;
    policy_version: string;
    source: string;
    recorded_at: Date;
  }>(
    'SELECT purpose, granted, policy_version, source, recorded_at FROM consent_events WHERE account_id = $1 ORDER BY id',
    [accountId],
  );
  return rows.map((r) => ({
    purpose: r.purpose,
    granted: r.granted,
    policyVersion: r.policy_version,
    source: r.source,
    changedAt: r.recorded_at.toISOString(),
  }));
}

export async function currentConsent(
  pool: Pool,
  accountId: string,
  purpose: string,
): Promise<{ granted: boolean; policyVersion: string | null; seq?: number }> {
  const { rows } = await pool.query<{ id: string; granted: boolean; policy_version: string }>(
    'SELECT id, granted, policy_version FROM consent_events WHERE account_id = $1 AND purpose = $2 ORDER BY id DESC LIMIT 1',
    [accountId, purpose],
  );
  const latest = rows[0];
  return latest
    ? { granted: latest.granted, policyVersion: latest.policy_version, seq: Number(latest.id) }
    : { granted: false, policyVersion: null };
}
