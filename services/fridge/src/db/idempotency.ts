import { createHash } from 'node:crypto';
import { Problem, type PoolClient } from '@packytrace/service-kit';

type Queryable = Pick<PoolClient, 'query'>;

export interface IdempotencyClaim {
  accountId: string;
  /** Method and concrete path, e.g. `POST /api/v1/fridge/items/<id>/consume`. */
  route: string;
  key: string;
  body: unknown;
}

export interface StoredResponse {
  statusCode: number;
  body: unknown;
}

const hashOf = (body: unknown) =>
  createHash('sha256')
    .update(JSON.stringify(body ?? null))
    .digest('hex');

const keyReused = () =>
  new Problem(
    422,
    'idempotency_key_reused',
    'Unprocessable content',
    'This Idempotency-Key was used with a different request body.',
  );

/** Idempotency-Key bookkeeping (draft-ietf-httpapi-idempotency-key-header): key + account + route → response. */
export class IdempotencyStore {
  /** The stored response of an earlier request with this key, without claiming it. */
  async find(client: Queryable, claim: IdempotencyClaim): Promise<StoredResponse | undefined> {
    const { rows } = await client.query<{
      request_hash: string;
      status_code: number | null;
      response: unknown;
    }>(
      'SELECT request_hash, status_code, response FROM idempotency_keys WHERE account_id = $1 AND route = $2 AND key = $3',
      [claim.accountId, claim.route, claim.key],
    );
    const row = rows[0];
    if (!row || row.status_code === null) return undefined;
    if (row.request_hash !== hashOf(claim.body)) throw keyReused();
    return { statusCode: row.status_code, body: row.response };
  }

  /**
   * Claims the key inside the command's transaction. If another request holds it, this waits for that
   * transaction: after its commit the stored response is returned; after its rollback the claim is ours.
   */
  async claim(client: Queryable, claim: IdempotencyClaim): Promise<StoredResponse | undefined> {
    const { rowCount } = await client.query(
      `INSERT INTO idempotency_keys (account_id, route, key, request_hash) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING`,
      [claim.accountId, claim.route, claim.key, hashOf(claim.body)],
    );
    if (rowCount === 1) return undefined;
    const stored = await this.find(client, claim);
    if (!stored)
      throw new Problem(
        409,
        'idempotency_key_in_use',
        'Conflict',
        'A request with this Idempotency-Key is still running.',
      );
    return stored;
  }

  async complete(client: Queryable, claim: IdempotencyClaim, response: StoredResponse): Promise<void> {
    await client.query(
      'UPDATE idempotency_keys SET status_code = $4, response = $5 WHERE account_id = $1 AND route = $2 AND key = $3',
      [claim.accountId, claim.route, claim.key, response.statusCode, JSON.stringify(response.body)],
    );
  }
}
