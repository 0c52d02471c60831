import { withTransaction, type Pool, type PoolClient } from '@packytrace/service-kit';
import type { SealedProfile } from '../domain/profile-crypto';

type Queryable = Pick<Pool | PoolClient, 'query'>;

/** Health Profiles, only ever as ciphertext. */
export class ProfileRepository {
  constructor(private readonly pool: Pool) {}

  async find(accountId: string): Promise<SealedProfile | undefined> {
    const { rows } = await this.pool.query<{ ciphertext: Buffer; iv: Buffer; auth_tag: Buffer }>(
      'SELECT ciphertext, iv, auth_tag FROM health_profiles WHERE account_id = $1',
      [accountId],
    );
    const row = rows[0];
    return row && { ciphertext: row.ciphertext, iv: row.iv, authTag: row.auth_tag };
  }

  /**
   * Stores the profile as resting on Identity's consent decision `consentSeq` (undefined: an Identity
   * that gives none). False, and nothing stored, when a withdrawal newer than that decision has been
   * seen: the consent it was checked against is gone, whatever the clocks say.
   */
  async saveUnderConsent(accountId: string, sealed: SealedProfile, consentSeq?: number): Promise<boolean> {
    return withTransaction(this.pool, async (client) => {
      await lockAccount(client, accountId);
      if (consentSeq !== undefined) {
        const { rows } = await client.query<{ consent_seq: string }>(
          'SELECT consent_seq FROM consent_withdrawals WHERE account_id = $1',
          [accountId],
        );
        if (rows[0] && Number(rows[0].consent_seq) > consentSeq) return false;
      }
      await client.query(
        `INSERT INTO health_profiles (account_id, ciphertext, iv, auth_tag, updated_at, consent_seq)
         VALUES ($1, $2, $3, $4, now(), $5)
         ON CONFLICT (account_id) DO UPDATE SET ciphertext = EXCLUDED.ciphertext, iv = EXCLUDED.iv,
           auth_tag = EXCLUDED.auth_tag, updated_at = now(), consent_seq = EXCLUDED.consent_seq`,
        [accountId, sealed.ciphertext, sealed.iv, sealed.authTag, consentSeq ?? null],
      );
      return true;
    });
  }

  async delete(accountId: string, client: Queryable = this.pool): Promise<boolean> {
    const { rowCount } = await client.query('DELETE FROM health_profiles WHERE account_id = $1', [accountId]);
    return (rowCount ?? 0) > 0;
  }

  /**
   * Applies a health_profile withdrawal: remembers it (the newest per account) and deletes a profile
   * resting on an older consent decision, so a save racing the withdrawal cannot outlive it, while a
   * profile stored after a later re-grant survives a late event. A profile or an event without
   * sequence numbers (stored or sent before they existed) falls back to comparing times.
   */
  async applyWithdrawal(
    client: Queryable,
    withdrawal: { accountId: string; occurredAt: string; consentSeq?: number },
  ): Promise<boolean> {
    await lockAccount(client, withdrawal.accountId);
    if (withdrawal.consentSeq !== undefined) {
      await client.query(
        `INSERT INTO consent_withdrawals (account_id, consent_seq, withdrawn_at) VALUES ($1, $2, $3)
         ON CONFLICT (account_id) DO UPDATE SET consent_seq = EXCLUDED.consent_seq, withdrawn_at = EXCLUDED.withdrawn_at
         WHERE consent_withdrawals.consent_seq < EXCLUDED.consent_seq`,
        [withdrawal.accountId, withdrawal.consentSeq, withdrawal.occurredAt],
      );
    }
    const { rowCount } = await client.query(
      `DELETE FROM health_profiles WHERE account_id = $1
         AND (CASE WHEN consent_seq IS NOT NULL AND $3::bigint IS NOT NULL THEN consent_seq < $3
                   ELSE updated_at <= $2 END)`,
      [withdrawal.accountId, withdrawal.occurredAt, withdrawal.consentSeq ?? null],
    );
    return (rowCount ?? 0) > 0;
  }
}

/** First key of this service's advisory locks; the second is the account's hash. */
const PROFILE_LOCK_CLASS = 0x50524f46; // 'PROF'

/** Orders a save of the account's profile against a withdrawal being applied (held until commit). */
async function lockAccount(client: Queryable, accountId: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [PROFILE_LOCK_CLASS, accountId]);
}
