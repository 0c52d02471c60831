import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { BrandMetricBatchPublished } from '@packytrace/contracts';
import { createPool, runMigrations, withTransaction, type Pool } from '@packytrace/service-kit';
import { quietLogger, roleDatabaseUrl } from '@packytrace/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeadershipLost } from '../../src/db/leadership';
import { MeasurementRepository } from '../../src/db/measurement-repository';
import { foldEvents, newStreamState, type MeasuredEvent, type StreamState } from '../../src/domain/fold';
import { SubjectHasher } from '../../src/domain/subject-hasher';
import { consent, fridgeFact, registered, scanned } from '../support/streams';

const migrations = fileURLToPath(new URL('../../src/db/migrations', import.meta.url));
const HOUR = 3_600_000;
const K = 3;
const settings = { windowMs: HOUR, latenessMs: 300_000, minGroupSize: K };
const hasher = new SubjectHasher('repository-test-master-key-0123456789abcdef');
const at = (time: string) => Date.parse(`2024-03-01T${time}:00.000Z`);
const byAccount = (id: string) => ({ kind: 'account' as const, id });
const [a, b, c, d] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];

let pool: Pool;
const brands: string[] = [];
const pipelines: MeasurementRepository[] = [];

beforeAll(async () => {
  const databaseUrl = roleDatabaseUrl('measurement_svc');
  await runMigrations({ databaseUrl, schema: 'measurement', dir: migrations, logger: quietLogger() });
  pool = createPool(databaseUrl, { name: 'measurement-repository-test' });
});

afterAll(async () => {
  for (const repository of pipelines) {
    await repository.reset();
    await pool.query('DELETE FROM stream_leader WHERE pipeline = $1', [repository.pipeline]);
  }
  // No relay runs here: the batches this file published stay unsent and are removed.
  if (brands.length > 0)
    await pool.query(`DELETE FROM outbox WHERE payload->>'brandId' = ANY($1::text[])`, [brands]);
  await pool?.end();
});

/**
 * A pipeline driven batch by batch as MeasurementPipeline stores them: each batch in one transaction
 * with the windows its clock closes, through the real repository.
 */
async function pipeline() {
  const repository = new MeasurementRepository(pool, `repository-test-${randomUUID()}`);
  pipelines.push(repository);
  await pool.query('INSERT INTO stream_leader (pipeline, epoch) VALUES ($1, 1)', [repository.pipeline]);
  let state = newStreamState();
  const brandId = randomUUID();
  brands.push(brandId);
  const gtin = '04012345000016';
  return {
    brandId,
    gtin,
    scan: (time: string, subject: Parameters<typeof scanned>[3], product = gtin) =>
      scanned(brandId, product, at(time), subject),
    fridge: (type: 'ItemAddedToFridge' | 'ItemConsumed', time: string, accountId: string) =>
      fridgeFact(type, brandId, gtin, at(time), accountId),
    apply(events: MeasuredEvent[], epoch = 1): Promise<BrandMetricBatchPublished[]> {
      const batch = foldEvents(state, events, settings);
      return withTransaction(pool, async (client) => {
        const input = { epoch, batch, counted: new Map(), state, offsets: new Map(), malformed: 0, hasher };
        if (!(await repository.storeBatch(client, { ...input, windowMs: HOUR }))) throw new LeadershipLost();
        return repository.publishClosedWindows(client, state.closedBeforeMs, {
          minGroupSize: K,
          windowMs: HOUR,
        });
      });
    },
    /** Goes on from the state a new instance of the pipeline loads, as after a restart. */
    async reload(): Promise<StreamState> {
      ({ state } = await new MeasurementRepository(pool, repository.pipeline).loadState());
      return state;
    },
    /** The open cell of the product as stored, with its number of subject hashes; null when there is none. */
    async openCell(product = gtin) {
      const { rows } = await pool.query(
        `SELECT c.scans, c.fridge_adds AS "fridgeAdds", c.consumed, c.discarded,
           (SELECT count(*)::int FROM cell_subjects s WHERE s.cell_id = c.id) AS subjects
         FROM open_cells c WHERE c.pipeline = $1 AND c.brand_id = $2 AND c.gtin = $3`,
        [repository.pipeline, brandId, product],
      );
      return rows[0] ?? null;
    },
  };
}

describe('an analytics withdrawal stored by the repository', () => {
  it('takes the account out of the open cell in its batch: below k, the cell is withheld and counted as suppressed', async () => {
    const p = await pipeline();
    await p.apply([
      ...[a, b, c].map((id) => p.scan('10:05', byAccount(id))),
      p.fridge('ItemAddedToFridge', '10:06', a),
      p.fridge('ItemConsumed', '10:07', a),
      p.fridge('ItemConsumed', '10:07', b),
    ]);
    expect(await p.openCell()).toEqual({ scans: 3, fridgeAdds: 1, consumed: 2, discarded: 0, subjects: 3 });

    expect(await p.apply([consent('ConsentWithdrawn', a, at('10:10'))])).toEqual([]);
    expect(await p.openCell()).toEqual({ scans: 2, fridgeAdds: 0, consumed: 1, discarded: 0, subjects: 2 });

    // The watermark passes 11:00: the window is published after the withdrawal, without A.
    const published = await p.apply([p.scan('11:06', byAccount(d))]);
    expect(published).toEqual([
      expect.objectContaining({
        brandId: p.brandId,
        windowStart: '2024-03-01T10:00:00.000Z',
        cells: [],
        suppressedCells: 1,
        totals: { scans: 0, distinctSubjects: 0, fridgeAdds: 0, consumed: 0, discarded: 0 },
      }),
    ]);
  });

  it("leaves published windows as published, takes the account's visitors along, and counts only what follows a re-grant", async () => {
    const p = await pipeline();
    await p.apply([
      p.scan('09:05', { kind: 'visitor', id: 'v-a' }),
      ...[b, c].map((id) => p.scan('09:05', byAccount(id))),
    ]);
    await p.apply([registered(a, 'v-a', at('09:06'))]);
    const nine = await p.apply([p.scan('10:06', byAccount(d))]); // the watermark passes 10:00
    expect(nine.map((batch) => batch.cells)).toEqual([
      [expect.objectContaining({ scans: 3, distinctSubjects: 3 })],
    ]);

    await p.apply([
      ...[a, b, c].map((id) => p.scan('10:10', byAccount(id))),
      p.scan('10:11', { kind: 'visitor', id: 'v-a2' }),
      p.scan('10:12', byAccount(a), '04012345000023'), // A alone in this product's cell
    ]);
    // A links a second visitor and withdraws in the same batch: neither A nor the visitor stays.
    await p.apply([registered(a, 'v-a2', at('10:13')), consent('ConsentWithdrawn', a, at('10:14'))]);
    expect(await p.openCell()).toEqual({ scans: 3, fridgeAdds: 0, consumed: 0, discarded: 0, subjects: 3 });
    expect(await p.openCell('04012345000023')).toBeNull(); // nobody else was there: no cell at all

    await p.apply([p.scan('10:20', byAccount(a)), consent('ConsentGranted', a, at('10:25'))]);
    await p.apply([p.scan('10:30', byAccount(a))]);
    const ten = await p.apply([p.scan('11:06', byAccount(d))]);
    expect(ten).toEqual([
      expect.objectContaining({
        windowStart: '2024-03-01T10:00:00.000Z',
        cells: [{ gtin: p.gtin, scans: 4, distinctSubjects: 4, fridgeAdds: 0, consumed: 0, discarded: 0 }],
        suppressedCells: 0,
      }),
    ]);
  });

  it('a withdrawal in a batch the leader fence refuses changes nothing', async () => {
    const p = await pipeline();
    await p.apply([a, b, c].map((id) => p.scan('10:05', byAccount(id))));
    await expect(p.apply([consent('ConsentWithdrawn', a, at('10:10'))], 2)).rejects.toBeInstanceOf(
      LeadershipLost,
    );
    expect(await p.openCell()).toEqual({ scans: 3, fridgeAdds: 0, consumed: 0, discarded: 0, subjects: 3 });
  });

  it('remembers the latest consentSeq across a restart: an old withdrawal resent after the re-grant changes nothing', async () => {
    const p = await pipeline();
    const withdrawal = consent('ConsentWithdrawn', a, at('10:10'), 2);
    await p.apply([withdrawal]);
    await p.apply([consent('ConsentGranted', a, at('10:20'), 3)]);

    const reloaded = await p.reload();
    expect(reloaded.decisionSeqs.get(a)).toBe(3);
    expect(reloaded.optedOut.has(a)).toBe(false);

    await p.apply([...[a, b, c].map((id) => p.scan('10:25', byAccount(id)))]);
    await p.apply([{ ...withdrawal }, p.scan('10:30', byAccount(a))]);
    expect(await p.openCell()).toEqual({ scans: 4, fridgeAdds: 0, consumed: 0, discarded: 0, subjects: 3 });
    expect((await p.reload()).optedOut.has(a)).toBe(false);
  });
});
