import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InMemoryMeasurement } from '../../src/domain/in-memory-measurement';
import { SubjectHasher } from '../../src/domain/subject-hasher';
import type { BatchBody } from '../../src/domain/publication';
import {
  FAR_FUTURE,
  LATENESS_MS,
  personArb,
  scanned,
  streamOf,
  WINDOW_MS,
  worldOf,
  type Tagged,
} from '../support/streams';

const hasher = new SubjectHasher('property-test-master-key-0123456789abcdef');

function run(events: Tagged[], k: number, cuts: number[] = []): BatchBody[] {
  const measurement = new InMemoryMeasurement(
    { windowMs: WINDOW_MS, latenessMs: LATENESS_MS, minGroupSize: k },
    hasher,
  );
  let at = 0;
  for (const size of cuts) {
    measurement.apply(events.slice(at, at + size).map((t) => t.event));
    at += size;
  }
  measurement.apply(events.slice(at).map((t) => t.event));
  measurement.flush(FAR_FUTURE);
  return measurement.published;
}

/** The people who contributed any event to each cell (the oracle counts persons, not ids). */
function personsPerCell(events: Tagged[]): Map<string, Set<string>> {
  const cells = new Map<string, Set<string>>();
  for (const { cell, personId } of events) {
    if (!cell) continue;
    if (!cells.has(cell)) cells.set(cell, new Set());
    cells.get(cell)!.add(personId);
  }
  return cells;
}

const SPAN = 5 * WINDOW_MS;
const worldArb = fc
  .record({
    k: fc.integer({ min: 2, max: 6 }),
    people: fc.array(personArb(2, 2, SPAN), { minLength: 1, maxLength: 40 }),
  })
  .map(({ k, people }) => ({ k, world: worldOf(people, 2, 2) }));

describe('aggregation over random event streams', () => {
  it('publishes no cell with fewer than k distinct subjects, and never more subjects than people', () => {
    fc.assert(
      fc.property(worldArb, ({ k, world }) => {
        const events = streamOf(world);
        const persons = personsPerCell(events);
        for (const batch of run(events, k)) {
          for (const cell of batch.cells) {
            expect(cell.distinctSubjects).toBeGreaterThanOrEqual(k);
            const key = `${batch.brandId}|${cell.gtin}|${Date.parse(batch.windowStart)}`;
            expect(cell.distinctSubjects).toBeLessThanOrEqual(persons.get(key)!.size);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('one subject scanning many times never makes a cell publishable', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 50 }),
        personArb(2, 2, SPAN),
        fc.integer({ min: 1, max: 30 }),
        (k, person, repeats) => {
          const world = worldOf(
            [{ ...person, actions: person.actions.flatMap((a) => Array(repeats).fill(a)) }],
            2,
            2,
          );
          const batches = run(streamOf(world), k);
          expect(batches.flatMap((b) => b.cells)).toEqual([]);
          expect(batches.every((b) => b.totals.scans === 0 && b.suppressedCells > 0)).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("Brand A never sees Brand B: a batch holds only its own Brand's products and events", () => {
    fc.assert(
      fc.property(worldArb, ({ k, world }) => {
        const events = streamOf(world);
        const persons = personsPerCell(events);
        for (const batch of run(events, k)) {
          const own = world.gtins[world.brands.indexOf(batch.brandId)]!;
          for (const cell of batch.cells) {
            expect(own).toContain(cell.gtin);
            expect(persons.has(`${batch.brandId}|${cell.gtin}|${Date.parse(batch.windowStart)}`)).toBe(true);
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('totals are sums over published cells only and suppressed cells are counted, not sent', () => {
    fc.assert(
      fc.property(worldArb, ({ k, world }) => {
        const events = streamOf(world);
        const persons = personsPerCell(events);
        const batches = run(events, k);
        for (const batch of batches) {
          const sum = (f: 'scans' | 'distinctSubjects' | 'fridgeAdds') =>
            batch.cells.reduce((n, c) => n + c[f], 0);
          expect(batch.totals.scans).toBe(sum('scans'));
          expect(batch.totals.distinctSubjects).toBe(sum('distinctSubjects'));
          expect(batch.totals.fridgeAdds).toBe(sum('fridgeAdds'));
        }
        const cellsSeen = batches.reduce((n, b) => n + b.cells.length + b.suppressedCells, 0);
        expect(cellsSeen).toBe(persons.size);
      }),
      { numRuns: 100 },
    );
  });

  it('gives the same result however the stream is cut into batches (a restart mid-window changes nothing)', () => {
    fc.assert(
      fc.property(
        worldArb,
        fc.array(fc.integer({ min: 1, max: 20 }), { maxLength: 10 }),
        ({ k, world }, cuts) => {
          const events = streamOf(world);
          expect(run(events, k, cuts)).toEqual(run(events, k));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('windows and lateness', () => {
  const brand = '00000000-0000-4000-8000-0000000000aa';
  const gtin = '04012345000016';
  const t0 = Date.parse('2024-03-01T00:00:00.000Z');

  it('counts an event up to the allowed lateness and drops it after', () => {
    const m = new InMemoryMeasurement(
      { windowMs: WINDOW_MS, latenessMs: LATENESS_MS, minGroupSize: 1 },
      hasher,
    );
    m.apply([scanned(brand, gtin, t0 + 1000, { kind: 'visitor', id: 'a' })]);
    // watermark = end of window + 5s: window 0 still open
    m.apply([scanned(brand, gtin, t0 + WINDOW_MS + LATENESS_MS - 5000, { kind: 'visitor', id: 'b' })]);
    const inTime = m.apply([scanned(brand, gtin, t0 + 2000, { kind: 'visitor', id: 'c' })]);
    expect(inTime.lateDropped).toBe(0);
    m.apply([scanned(brand, gtin, t0 + WINDOW_MS + LATENESS_MS + 1, { kind: 'visitor', id: 'd' })]);
    expect(m.published).toHaveLength(1);
    expect(m.published[0]!.cells[0]).toMatchObject({ scans: 2, distinctSubjects: 2 });
    const late = m.apply([scanned(brand, gtin, t0 + 3000, { kind: 'visitor', id: 'e' })]);
    expect(late.lateDropped).toBe(1);
  });

  it('a visitor who registers stays one subject in an open window', () => {
    const m = new InMemoryMeasurement(
      { windowMs: WINDOW_MS, latenessMs: LATENESS_MS, minGroupSize: 1 },
      hasher,
    );
    const accountId = '00000000-0000-4000-8000-0000000000bb';
    m.apply([scanned(brand, gtin, t0 + 1, { kind: 'visitor', id: 'v1' })]);
    m.apply([
      {
        eventId: '00000000-0000-4000-8000-000000000001',
        type: 'VisitorLinkedToAccount',
        occurredAt: new Date(t0 + 2).toISOString(),
        accountId,
        visitorId: 'v1',
      },
    ]);
    m.apply([
      scanned(brand, gtin, t0 + 3, { kind: 'account', id: accountId }),
      scanned(brand, gtin, t0 + 4, { kind: 'visitor', id: 'v1' }),
    ]);
    m.flush(FAR_FUTURE);
    expect(m.published[0]!.cells[0]).toMatchObject({ scans: 3, distinctSubjects: 1 });
  });

  it('an account that withdrew analytics consent is not counted until it grants it again', async () => {
    const { consent } = await import('../support/streams');
    const m = new InMemoryMeasurement(
      { windowMs: WINDOW_MS, latenessMs: LATENESS_MS, minGroupSize: 1 },
      hasher,
    );
    const a = '00000000-0000-4000-8000-0000000000cc';
    m.apply([consent('ConsentWithdrawn', a, t0), scanned(brand, gtin, t0 + 1, { kind: 'account', id: a })]);
    m.apply([consent('ConsentGranted', a, t0 + 2), scanned(brand, gtin, t0 + 3, { kind: 'account', id: a })]);
    m.flush(FAR_FUTURE);
    expect(m.published[0]!.cells[0]).toMatchObject({ scans: 1, distinctSubjects: 1 });
  });
});

describe('publication', () => {
  it('publishes a cell once k different people contributed', () => {
    const brand = '00000000-0000-4000-8000-0000000000dd';
    const t0 = Date.parse('2024-03-01T00:00:00.000Z');
    const m = new InMemoryMeasurement(
      { windowMs: WINDOW_MS, latenessMs: LATENESS_MS, minGroupSize: 3 },
      hasher,
    );
    m.apply(
      ['x', 'y', 'z', 'x'].map((id, i) => scanned(brand, '04012345000016', t0 + i, { kind: 'visitor', id })),
    );
    m.apply([scanned(brand, '04012345000023', t0 + 10, { kind: 'visitor', id: 'x' })]);
    m.flush(FAR_FUTURE);
    expect(m.published).toEqual([
      expect.objectContaining({
        brandId: brand,
        cells: [
          { gtin: '04012345000016', scans: 4, distinctSubjects: 3, fridgeAdds: 0, consumed: 0, discarded: 0 },
        ],
        suppressedCells: 1,
        totals: { scans: 4, distinctSubjects: 3, fridgeAdds: 0, consumed: 0, discarded: 0 },
        minGroupSize: 3,
        noise: null,
      }),
    ]);
  });
});
