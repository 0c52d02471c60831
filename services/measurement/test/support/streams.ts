import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { MeasuredEvent } from '../../src/domain/fold';

/** Event builders for tests: fields as the contracts define them. */
export const scanned = (
  brandId: string,
  gtin: string,
  at: number,
  subject: { kind: 'account' | 'visitor' | 'anonymous'; id?: string },
): MeasuredEvent => ({
  eventId: randomUUID(),
  type: 'ProductScanned',
  occurredAt: new Date(at).toISOString(),
  scanId: randomUUID(),
  gtin,
  brandId,
  subject,
  scannedAt: new Date(at).toISOString(),
});

export const fridgeFact = (
  type: 'ItemAddedToFridge' | 'ItemConsumed',
  brandId: string,
  gtin: string,
  at: number,
  accountId: string,
): MeasuredEvent =>
  ({
    eventId: randomUUID(),
    type,
    occurredAt: new Date(at).toISOString(),
    accountId,
    gtin,
    brandId,
    quantity: 1,
  }) as MeasuredEvent;

export const registered = (accountId: string, visitorId: string, at: number): MeasuredEvent => ({
  eventId: randomUUID(),
  type: 'AccountRegistered',
  occurredAt: new Date(at).toISOString(),
  accountId,
  visitorId,
});

export const consent = (
  type: 'ConsentGranted' | 'ConsentWithdrawn',
  accountId: string,
  at: number,
  consentSeq?: number,
): MeasuredEvent => ({
  eventId: randomUUID(),
  type,
  occurredAt: new Date(at).toISOString(),
  accountId,
  purpose: 'analytics',
  policyVersion: '2026-01',
  ...(consentSeq === undefined ? {} : { consentSeq }),
});

export const gtinOf = (n: number): string => String(10_000_000_000_000 + n).padStart(14, '0');

/** A person: a visitor who may register (then scans as the account) and may keep fridge items. */
export interface Person {
  personId: string;
  visitorId: string;
  accountId: string;
  registersAfter: number; // index of the action after which they register; >= actions = never
  actions: { brand: number; gtin: number; at: number; kind: 'scan' | 'fridge' }[];
}

export interface World {
  brands: string[];
  gtins: string[][]; // per brand, disjoint
  people: Person[];
}

const BASE = Date.parse('2024-03-01T00:00:00.000Z');
export const WINDOW_MS = 60_000;
export const LATENESS_MS = 10_000;

export const personArb = (brands: number, gtinsPerBrand: number, spanMs: number): fc.Arbitrary<Person> =>
  fc
    .record({
      registersAfter: fc.integer({ min: 0, max: 8 }),
      actions: fc.array(
        fc.record({
          brand: fc.integer({ min: 0, max: brands - 1 }),
          gtin: fc.integer({ min: 0, max: gtinsPerBrand - 1 }),
          at: fc.integer({ min: 0, max: spanMs }),
          kind: fc.constantFrom<'scan' | 'fridge'>('scan', 'scan', 'fridge'),
        }),
        { minLength: 1, maxLength: 8 },
      ),
    })
    .map(({ registersAfter, actions }) => ({
      personId: randomUUID(),
      visitorId: `v-${randomUUID()}`,
      accountId: randomUUID(),
      registersAfter,
      actions: actions.sort((a, b) => a.at - b.at),
    }));

export function worldOf(people: Person[], brands: number, gtinsPerBrand: number): World {
  const brandIds = Array.from({ length: brands }, () => randomUUID());
  return {
    brands: brandIds,
    gtins: brandIds.map((_, b) => Array.from({ length: gtinsPerBrand }, (_, g) => gtinOf(b * 100 + g))),
    people,
  };
}

export interface Tagged {
  event: MeasuredEvent;
  personId: string;
  cell?: string;
}

/**
 * Each person's events in a realistic order: scans as a visitor, registration (links the visitor),
 * then scans and fridge facts as the account. Merged by event time (ties broken by arrival order).
 */
export function streamOf(world: World): Tagged[] {
  const all: { at: number; seq: number; tagged: Tagged }[] = [];
  let seq = 0;
  for (const person of world.people) {
    let registered_ = false;
    person.actions.forEach((action, i) => {
      const at = BASE + action.at;
      const brandId = world.brands[action.brand]!;
      const gtin = world.gtins[action.brand]![action.gtin]!;
      const cell = `${brandId}|${gtin}|${Math.floor(at / WINDOW_MS) * WINDOW_MS}`;
      if (registered_ || action.kind === 'fridge') {
        if (!registered_) {
          all.push({
            at,
            seq: seq++,
            tagged: { event: registered(person.accountId, person.visitorId, at), personId: person.personId },
          });
          registered_ = true;
        }
        const event =
          action.kind === 'fridge'
            ? fridgeFact('ItemAddedToFridge', brandId, gtin, at, person.accountId)
            : scanned(brandId, gtin, at, { kind: 'account', id: person.accountId });
        all.push({ at, seq: seq++, tagged: { event, personId: person.personId, cell } });
      } else {
        all.push({
          at,
          seq: seq++,
          tagged: {
            event: scanned(brandId, gtin, at, { kind: 'visitor', id: person.visitorId }),
            personId: person.personId,
            cell,
          },
        });
      }
      if (i === person.registersAfter && !registered_) {
        all.push({
          at,
          seq: seq++,
          tagged: { event: registered(person.accountId, person.visitorId, at), personId: person.personId },
        });
        registered_ = true;
      }
    });
  }
  return all.sort((a, b) => a.at - b.at || a.seq - b.seq).map((x) => x.tagged);
}

export const FAR_FUTURE = BASE + 365 * 24 * 3600 * 1000;
