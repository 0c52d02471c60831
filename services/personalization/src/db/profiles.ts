import type { Pool, PoolClient } from '@packytrace/service-kit';
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

  async save(accountId: string, sealed: SealedProfile): Promise<void> {
    await this.pool.query(
      `INSERT INTO health_profiles (account_id, ciphertext, iv, auth_tag, updated_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (account_id) DO UPDATE SET ciphertext = EXCLUDED.ciphertext, iv = EXCLUDED.iv,
         auth_tag = EXCLUDED.auth_tag, updated_at = now()`,
      [accountId, sealed.ciphertext, sealed.iv, sealed.authTag],
    );
  }

  async delete(accountId: string, client: Queryable = this.pool): Promise<boolean> {
    const { rowCount } = await client.query('DELETE FROM health_profiles WHERE account_id = $1', [accountId]);
    return (rowCount ?? 0) > 0;
  }

  /** Deletes a profile stored before `withdrawnAt`: a profile stored after a later re-grant survives a late event. */
  async deleteStoredBefore(client: Queryable, accountId: string, withdrawnAt: string): Promise<boolean> {
    const { rowCount } = await client.query(
      'DELETE FROM health_profiles WHERE account_id = $1 AND updated_at <= $2',
      [accountId, withdrawnAt],
    );
    return (rowCount ?? 0) > 0;
  }
}
