import { randomUUID } from 'node:crypto';
import { withTransaction } from '@packytrace/service-kit';
import { adminDatabaseUrl, roleDatabaseUrl } from '@packytrace/testing';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FridgeRepository } from '../../src/db/fridge-repository';
import type { RunningFridge } from '../../src/service';
import { clientFor, FakePassport, startFridge } from '../support';

let passport: FakePassport;
let fridge: RunningFridge;
let rolePool: pg.Pool;
let adminPool: pg.Pool;
let repo: FridgeRepository;

beforeAll(async () => {
  passport = await new FakePassport().start();
  fridge = await startFridge(passport.url);
  rolePool = new pg.Pool({ connectionString: roleDatabaseUrl('fridge_svc'), max: 2 });
  adminPool = new pg.Pool({ connectionString: adminDatabaseUrl(), max: 2 });
  // The shared server may be restarted under us; a dropped idle client must not crash the run.
  for (const p of [rolePool, adminPool]) p.on('error', () => undefined);
  repo = new FridgeRepository(rolePool);
});

afterAll(async () => {
  await rolePool?.end();
  await adminPool?.end();
  await fridge?.close();
  await passport?.close();
});

async function seededAccount() {
  const accountId = randomUUID();
  const call = clientFor(fridge.url, accountId);
  const added = await call('POST', '/api/v1/fridge/items', { scanId: passport.scan(accountId), quantity: 3 });
  await call('POST', `/api/v1/fridge/items/${added.body.itemId}/consume`, { quantity: 1 });
  return { accountId, call, itemId: added.body.itemId as string };
}

describe('the history table is append-only', () => {
  it.each([
    ['UPDATE', "UPDATE fridge_events SET data = '{}' WHERE account_id = $1"],
    ['DELETE', 'DELETE FROM fridge_events WHERE account_id = $1'],
  ])('the service role cannot %s history', async (_verb, sql) => {
    const { accountId } = await seededAccount();
    await expect(rolePool.query(sql, [accountId])).rejects.toMatchObject({ code: '42501' });
  });

  it('the service role cannot TRUNCATE history', async () => {
    await expect(rolePool.query('TRUNCATE fridge_events')).rejects.toMatchObject({ code: '42501' });
  });

  it('even a superuser is stopped by the trigger', async () => {
    const { accountId } = await seededAccount();
    await expect(
      adminPool.query("UPDATE fridge.fridge_events SET data = '{}' WHERE account_id = $1", [accountId]),
    ).rejects.toThrow(/append-only/);
    await expect(
      adminPool.query('DELETE FROM fridge.fridge_events WHERE account_id = $1', [accountId]),
    ).rejects.toThrow(/append-only/);
    const { rows } = await adminPool.query(
      'SELECT count(*)::int AS n FROM fridge.fridge_events WHERE account_id = $1',
      [accountId],
    );
    expect(rows[0].n).toBe(2);
  });
});

type Step =
  | { action: 'consume'; quantity: number; item: number }
  | { action: 'discard' | 'open' | 'add'; item: number }
  | { action: 'undo'; pick: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    action: fc.constant('consume' as const),
    quantity: fc.integer({ min: 1, max: 4 }),
    item: fc.nat(),
  }),
  fc.record({ action: fc.constantFrom('discard' as const, 'open' as const, 'add' as const), item: fc.nat() }),
  fc.record({ action: fc.constant('undo' as const), pick: fc.nat() }),
);

describe('the projection', () => {
  it('equals the fold of the history after random bookings through the API, and a rebuild gives the same state', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        const { accountId, call, itemId } = await seededAccount();
        const items = [itemId];
        for (const s of steps) {
          if (s.action === 'add') {
            items.push(
              (await call('POST', '/api/v1/fridge/items', { scanId: passport.scan(accountId), quantity: 2 }))
                .body.itemId,
            );
          } else if (s.action === 'undo') {
            const events = (await call('GET', '/api/v1/fridge/history')).body.events;
            await call('POST', `/api/v1/fridge/history/${events[s.pick % events.length].eventId}/undo`);
          } else {
            const body =
              s.action === 'consume'
                ? { quantity: s.quantity }
                : s.action === 'discard'
                  ? { reason: 'expired' }
                  : undefined;
            const response = await call(
              'POST',
              `/api/v1/fridge/items/${items[s.item % items.length]}/${s.action}`,
              body,
            );
            expect([200, 409], JSON.stringify(response.body)).toContain(response.status);
          }
        }
        const projected = await repo.projectedItems(rolePool, accountId);
        const folded = (await repo.foldedItems(rolePool, accountId)).sort((a, b) =>
          a.itemId.localeCompare(b.itemId),
        );
        expect(projected).toEqual(folded);
        for (const item of projected) expect(item.remaining).toBeGreaterThanOrEqual(0);

        const view = (await call('GET', '/api/v1/fridge')).body;
        await withTransaction(rolePool, (tx) => repo.rebuildProjection(tx, accountId));
        expect(await repo.projectedItems(rolePool, accountId)).toEqual(projected);
        expect((await call('GET', '/api/v1/fridge')).body).toEqual(view);
      }),
      { numRuns: 12 },
    );
  }, 120_000);
});
