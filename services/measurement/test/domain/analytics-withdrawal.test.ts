import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MeasuredEvent } from '../../src/domain/fold';
import { InMemoryMeasurement } from '../../src/domain/in-memory-measurement';
import type { BatchBody } from '../../src/domain/publication';
import { SubjectHasher } from '../../src/domain/subject-hasher';
import {
  consent,
  FAR_FUTURE,
  fridgeFact,
  LATENESS_MS,
  personArb,
  registered,
  scanned,
  streamOf,
  WINDOW_MS,
  worldOf,
  type Tagged,
} from '../support/streams';

const hasher = new SubjectHasher('withdrawal-test-master-key-0123456789abcdef');
const HOUR = 3_600_000;
const brand = '00000000-0000-4000-8000-0000000000aa';
const gtin = '04012345000016';
const [a, b, c, d] = ['a1', 'b2', 'c3', 'd4'].map((n) => `00000000-0000-4000-8000-0000000000${n}`) as [
  string,
  string,
  string,
  string,
];
const at = (time: string) => Date.parse(`2024-03-01T${time}:00.000Z`);
const byAccount = (id: string) => ({ kind: 'account' as const, id });

/** Hourly windows, 5 minutes of lateness, as the defaults; k as given. */
function measurement(k: number): InMemoryMeasurement {
  return new InMemoryMeasurement({ windowMs: HOUR, latenessMs: 300_000, minGroupSize: k }, hasher);
}

const windowOf = (m: InMemoryMeasurement, start: string) =>
  m.published.filter(
    (batch) => batch.brandId === brand && batch.windowStart === new Date(at(start)).toISOString(),
  );

describe('an analytics withdrawal takes the account out of every window not yet published', () => {
  it("the auditor's case: A, B and C scan, A withdraws, the window closes: 2 < k, so the cell is withheld", () => {
    const m = measurement(3);
    m.apply([a, b, c].map((id) => scanned(brand, gtin, at('10:05'), byAccount(id))));
    m.apply([consent('ConsentWithdrawn', a, at('10:10'))]);
    m.apply([scanned(brand, gtin, at('11:06'), byAccount(d))]); // the watermark passes 11:00
    expect(windowOf(m, '10:00')).toEqual([
      expect.objectContaining({
        cells: [],
        suppressedCells: 1,
        totals: { scans: 0, distinctSubjects: 0, fridgeAdds: 0, consumed: 0, discarded: 0 },
      }),
    ]);
  });

  it('removes every count the account contributed (scans, fridge facts, its subject), in every open window', () => {
    const m = measurement(3);
    const fridge = (type: 'ItemAddedToFridge' | 'ItemConsumed', id: string, time: string) =>
      fridgeFact(type, brand, gtin, at(time), id);
    m.apply([
      ...[a, b, c, d].map((id) => scanned(brand, gtin, at('10:05'), byAccount(id))),
      scanned(brand, gtin, at('10:06'), byAccount(a)),
      scanned(brand, gtin, at('10:07'), { kind: 'anonymous' }),
      fridge('ItemAddedToFridge', a, '10:08'),
      fridge('ItemAddedToFridge', b, '10:08'),
      fridge('ItemConsumed', a, '10:09'),
    ]);
    // The same window and the next one hold A; withdrawing in the same batch as the last facts.
    m.apply([
      ...[a, b, c, d].map((id) => scanned(brand, gtin, at('10:20'), byAccount(id))),
      ...[a, b, c].map((id) => scanned(brand, gtin, at('11:02'), byAccount(id))),
      consent('ConsentWithdrawn', a, at('11:03')),
    ]);
    m.flush(FAR_FUTURE);
    expect(windowOf(m, '10:00')).toEqual([
      expect.objectContaining({
        cells: [{ gtin, scans: 7, distinctSubjects: 3, fridgeAdds: 1, consumed: 0, discarded: 0 }],
        suppressedCells: 0,
      }),
    ]);
    expect(windowOf(m, '11:00')).toEqual([expect.objectContaining({ cells: [], suppressedCells: 1 })]);
  });

  it('leaves a window already published as it was published', () => {
    const m = measurement(3);
    m.apply([a, b, c].map((id) => scanned(brand, gtin, at('09:05'), byAccount(id))));
    m.apply([scanned(brand, gtin, at('10:06'), byAccount(d))]); // publishes 09:00
    m.apply([consent('ConsentWithdrawn', a, at('10:10'))]);
    m.flush(FAR_FUTURE);
    expect(windowOf(m, '09:00')).toEqual([
      expect.objectContaining({ cells: [expect.objectContaining({ scans: 3, distinctSubjects: 3 })] }),
    ]);
  });

  it("also removes the account's visitors: linked before, or in the same batch as the withdrawal", () => {
    for (const oneBatch of [false, true]) {
      const m = measurement(3);
      const visitorScans = [scanned(brand, gtin, at('10:01'), { kind: 'visitor', id: 'v-a' })];
      const link = registered(a, 'v-a', at('10:02'));
      const rest = [b, c, d].map((id) => scanned(brand, gtin, at('10:05'), byAccount(id)));
      const withdrawal = consent('ConsentWithdrawn', a, at('10:10'));
      if (oneBatch) m.apply([...visitorScans, ...rest, link, withdrawal]);
      else for (const batch of [visitorScans, rest, [link], [withdrawal]]) m.apply(batch);
      m.flush(FAR_FUTURE);
      expect(windowOf(m, '10:00')[0]!.cells).toEqual([
        { gtin, scans: 3, distinctSubjects: 3, fridgeAdds: 0, consumed: 0, discarded: 0 },
      ]);
    }
  });

  it('takes out a visitor who links to an account that has withdrawn', () => {
    const m = measurement(1);
    m.apply([scanned(brand, gtin, at('10:01'), { kind: 'visitor', id: 'v-a' })]);
    m.apply([consent('ConsentWithdrawn', a, at('10:02'))]);
    m.apply([registered(a, 'v-a', at('10:03')), scanned(brand, gtin, at('10:04'), byAccount(b))]);
    m.flush(FAR_FUTURE);
    expect(windowOf(m, '10:00')[0]!.cells).toEqual([
      { gtin, scans: 1, distinctSubjects: 1, fridgeAdds: 0, consumed: 0, discarded: 0 },
    ]);
  });

  it('after a re-grant only the events after the re-grant count', () => {
    for (const cuts of [[1, 1, 1, 1, 1], [5], [2, 3]]) {
      const m = measurement(1);
      const events = [
        scanned(brand, gtin, at('10:05'), byAccount(a)),
        consent('ConsentWithdrawn', a, at('10:10')),
        scanned(brand, gtin, at('10:15'), byAccount(a)),
        consent('ConsentGranted', a, at('10:20')),
        scanned(brand, gtin, at('10:25'), byAccount(a)),
      ];
      let from = 0;
      for (const size of cuts) m.apply(events.slice(from, (from += size)));
      m.flush(FAR_FUTURE);
      expect(windowOf(m, '10:00')[0]!.cells).toEqual([
        { gtin, scans: 1, distinctSubjects: 1, fridgeAdds: 0, consumed: 0, discarded: 0 },
      ]);
    }
  });

  it('a resent copy of an old withdrawal after the re-grant leaves the account in (consentSeq): the events after the re-grant count', () => {
    for (const cuts of [[1, 1, 1, 1, 1, 1], [6], [2, 4]]) {
      const m = measurement(1);
      const withdrawal = consent('ConsentWithdrawn', a, at('10:10'), 2);
      const events = [
        scanned(brand, gtin, at('10:05'), byAccount(a)),
        withdrawal,
        consent('ConsentGranted', a, at('10:20'), 3),
        scanned(brand, gtin, at('10:25'), byAccount(a)),
        { ...withdrawal }, // the relay resends it
        scanned(brand, gtin, at('10:30'), byAccount(a)),
      ];
      let from = 0;
      for (const size of cuts) m.apply(events.slice(from, (from += size)));
      m.flush(FAR_FUTURE);
      expect(windowOf(m, '10:00')[0]!.cells).toEqual([
        { gtin, scans: 2, distinctSubjects: 1, fridgeAdds: 0, consumed: 0, discarded: 0 },
      ]);
    }
  });

  it('a resent copy of an old grant after the withdrawal leaves the account out (consentSeq)', () => {
    for (const cuts of [[1, 1, 1, 1, 1, 1], [6], [3, 3]]) {
      const m = measurement(1);
      const grant = consent('ConsentGranted', a, at('10:01'), 1);
      const events = [
        grant,
        scanned(brand, gtin, at('10:05'), byAccount(a)),
        consent('ConsentWithdrawn', a, at('10:10'), 2),
        { ...grant }, // the relay resends it
        scanned(brand, gtin, at('10:15'), byAccount(a)),
        scanned(brand, gtin, at('10:16'), byAccount(b)),
      ];
      let from = 0;
      for (const size of cuts) m.apply(events.slice(from, (from += size)));
      m.flush(FAR_FUTURE);
      expect(windowOf(m, '10:00')[0]!.cells).toEqual([
        { gtin, scans: 1, distinctSubjects: 1, fridgeAdds: 0, consumed: 0, discarded: 0 },
      ]);
    }
  });
});

describe('withdrawals over random event streams', () => {
  /** Published batches of a stream, cut into batches of the given sizes; nothing closes before the flush. */
  function run(events: MeasuredEvent[], k: number, cuts: number[], latenessMs = FAR_FUTURE): BatchBody[] {
    const m = new InMemoryMeasurement({ windowMs: WINDOW_MS, latenessMs, minGroupSize: k }, hasher);
    let from = 0;
    for (const size of cuts) m.apply(events.slice(from, (from += size)));
    m.apply(events.slice(from));
    m.flush(FAR_FUTURE * 2);
    return m.published;
  }

  const accountOf = (tagged: Tagged[], personId: string) =>
    tagged.find((t) => t.personId === personId && t.event.type === 'AccountRegistered')?.event as
      Extract<MeasuredEvent, { type: 'AccountRegistered' }> | undefined;

  it('withdrawing while the windows are open is the same as never having taken part, however the stream is cut', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(personArb(2, 2, 5 * WINDOW_MS), { minLength: 1, maxLength: 30 }),
        fc.array(fc.boolean(), { maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 20 }), { maxLength: 10 }),
        (k, people, withdraws, cuts) => {
          const world = worldOf(people, 2, 2);
          const tagged = streamOf(world);
          const leaving = new Set(
            people.filter((p, i) => withdraws[i] && accountOf(tagged, p.personId)).map((p) => p.personId),
          );
          const withdrawals = [...leaving].map((personId) =>
            consent('ConsentWithdrawn', accountOf(tagged, personId)!.accountId, FAR_FUTURE),
          );
          const withAll = [...tagged.map((t) => t.event), ...withdrawals];
          const without = tagged.filter((t) => !leaving.has(t.personId)).map((t) => t.event);
          expect(run(withAll, k, cuts)).toEqual(run(without, k, []));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('withdrawals and re-grants anywhere in a stream whose windows close as it goes: the same however it is cut', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(personArb(2, 2, 5 * WINDOW_MS), { minLength: 1, maxLength: 30 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean()), { maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 20 }), { maxLength: 10 }),
        (k, people, changes, cuts) => {
          const tagged = streamOf(worldOf(people, 2, 2));
          const accounts = tagged.flatMap((t) =>
            t.event.type === 'AccountRegistered' ? [t.event.accountId] : [],
          );
          const events = tagged.map((t) => t.event);
          if (accounts.length > 0)
            for (const [who, where, withdraw] of changes) {
              const type = withdraw ? 'ConsentWithdrawn' : 'ConsentGranted';
              events.splice(
                where % (events.length + 1),
                0,
                consent(type, accounts[who % accounts.length]!, 0),
              );
            }
          expect(run(events, k, cuts, LATENESS_MS)).toEqual(run(events, k, [], LATENESS_MS));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('numbered decisions resent anywhere after their original change nothing, however the stream is cut', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(personArb(2, 2, 5 * WINDOW_MS), { minLength: 1, maxLength: 30 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean()), { maxLength: 20 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 20 }), { maxLength: 10 }),
        (k, people, changes, resends, cuts) => {
          const tagged = streamOf(worldOf(people, 2, 2));
          const accounts = tagged.flatMap((t) =>
            t.event.type === 'AccountRegistered' ? [t.event.accountId] : [],
          );
          const events = tagged.map((t) => t.event);
          if (accounts.length === 0) return;
          for (const [who, where, withdraw] of changes) {
            const type = withdraw ? 'ConsentWithdrawn' : 'ConsentGranted';
            events.splice(where % (events.length + 1), 0, consent(type, accounts[who % accounts.length]!, 0));
          }
          // Identity numbers each account's decisions in commit order, which is the stream's order here.
          const seqs = new Map<string, number>();
          const numbered = events.map((e) =>
            e.type === 'ConsentGranted' || e.type === 'ConsentWithdrawn'
              ? {
                  ...e,
                  consentSeq: seqs.set(e.accountId, (seqs.get(e.accountId) ?? 0) + 1).get(e.accountId)!,
                }
              : e,
          );
          const decisions = numbered.flatMap((e, i) =>
            e.type === 'ConsentGranted' || e.type === 'ConsentWithdrawn' ? [i] : [],
          );
          // Each copy goes somewhere after its original.
          const copiesAfter = new Map<number, MeasuredEvent[]>();
          if (decisions.length > 0)
            for (const [which, offset] of resends) {
              const original = decisions[which % decisions.length]!;
              const after = original + (offset % (numbered.length - original));
              copiesAfter.set(after, [...(copiesAfter.get(after) ?? []), { ...numbered[original]! }]);
            }
          const resent = numbered.flatMap((e, i) => [e, ...(copiesAfter.get(i) ?? [])]);
          expect(run(resent, k, cuts, LATENESS_MS)).toEqual(run(numbered, k, [], LATENESS_MS));
        },
      ),
      { numRuns: 150 },
    );
  });
});
