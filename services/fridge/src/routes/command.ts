import { requireAccount, withTransaction, type Pool, type PoolClient } from '@packytrace/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IdempotencyClaim, IdempotencyStore } from '../db/idempotency';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

export interface CommandDeps {
  pool: Pool;
  idempotency: IdempotencyStore;
}

/** The request's idempotency claim, when it carries an Idempotency-Key header. */
export function idempotencyClaim(request: FastifyRequest): IdempotencyClaim | undefined {
  const key = request.headers[IDEMPOTENCY_KEY_HEADER];
  if (typeof key !== 'string') return undefined;
  return {
    accountId: requireAccount(request),
    route: `${request.method} ${request.url.split('?')[0]}`,
    key,
    body: request.body,
  };
}

/** A stored response of an earlier request with the same key, looked up before any outside call. */
export async function replayed(
  deps: CommandDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<boolean> {
  const claim = idempotencyClaim(request);
  const stored = claim && (await deps.idempotency.find(deps.pool, claim));
  if (!stored) return false;
  await reply.status(stored.statusCode).header('idempotent-replayed', 'true').send(stored.body);
  return true;
}

/**
 * Runs a booking in one transaction with its idempotency claim: a retried request with the same key
 * gets the first response and books nothing; a refused booking rolls everything back, claim included.
 */
export async function runCommand<T>(
  deps: CommandDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  statusCode: number,
  work: (tx: PoolClient) => Promise<T>,
): Promise<FastifyReply> {
  const claim = idempotencyClaim(request);
  const outcome = await withTransaction(deps.pool, async (tx) => {
    const stored = claim && (await deps.idempotency.claim(tx, claim));
    if (stored) return { ...stored, replay: true };
    const body = await work(tx);
    if (claim) await deps.idempotency.complete(tx, claim, { statusCode, body });
    return { statusCode, body, replay: false };
  });
  if (outcome.replay) void reply.header('idempotent-replayed', 'true');
  return reply.status(outcome.statusCode).send(outcome.body);
}
