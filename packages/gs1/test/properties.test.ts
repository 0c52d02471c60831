import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InvalidGs1Code,
  gtinCheckDigit,
  parseDigitalLink,
  parseElementString,
  parseGtin,
  parseProductCode,
  toDigitalLink,
  toElementString,
  type Gs1Identifier,
} from '../src/index.js';

const now = new Date('2025-06-15T12:00:00Z');

// GS1 AI encodable character set 82 (GenSpecs Figure 7.11-1)
const CSET_82 = `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`;
const cset82Text = fc.string({ unit: fc.constantFrom(...CSET_82), minLength: 1, maxLength: 20 });
const digits = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });

const gtin14 = digits(13, 13).map((body) => `${body}${gtinCheckDigit(body)}`);

/** Dates inside the GenSpecs 7.12 window around `now`, so YYMMDD maps back to the same year. */
const isoDate = fc
  .date({ min: new Date('1976-01-01T00:00:00Z'), max: new Date('2075-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const yymmdd = (iso: string) => `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}`;

const identifier: fc.Arbitrary<Gs1Identifier> = fc
  .record(
    {
      gtin: gtin14,
      batch: cset82Text,
      serial: cset82Text,
      cpv: cset82Text,
      expiry: isoDate,
      bestBefore: isoDate,
      weight: digits(6, 6),
      origin: digits(3, 3),
      count: digits(1, 8),
    },
    { requiredKeys: ['gtin'] },
  )
  .map(({ gtin, batch, serial, cpv, expiry, bestBefore, weight, origin, count }) => {
    const attributes: Record<string, string> = { '01': gtin };
    const id: Gs1Identifier = { gtin, attributes };
    if (batch !== undefined) attributes['10'] = id.batch = batch;
    if (serial !== undefined) attributes['21'] = id.serial = serial;
    if (cpv !== undefined) attributes['22'] = id.cpv = cpv;
    if (expiry !== undefined) [id.expiry, attributes['17']] = [expiry, yymmdd(expiry)];
    if (bestBefore !== undefined) [id.bestBefore, attributes['15']] = [bestBefore, yymmdd(bestBefore)];
    if (weight !== undefined) attributes['3102'] = weight;
    if (origin !== undefined) attributes['422'] = origin;
    if (count !== undefined) attributes['37'] = count;
    return id;
  });

function parsesOrRefuses(parse: (input: string) => unknown, input: string): void {
  try {
    parse(input);
  } catch (error) {
    if (!(error instanceof InvalidGs1Code)) throw error;
    expect(error.message.length).toBeGreaterThan(0);
  }
}

const parsers: Array<[string, (input: string) => unknown]> = [
  ['parseProductCode', (s) => parseProductCode(s, { now })],
  ['parseElementString', (s) => parseElementString(s, { now })],
  ['parseDigitalLink', (s) => parseDigitalLink(s, { now })],
  ['parseGtin', (s) => parseGtin(s)],
];

describe('round trips', () => {
  it('element string (parentheses) → identifier → Digital Link → identifier', () => {
    fc.assert(
      fc.property(identifier, (id) => {
        const fromElements = parseElementString(toElementString(id, 'parentheses'), { now });
        expect(fromElements).toEqual(id);
        expect(parseDigitalLink(toDigitalLink(fromElements), { now })).toEqual(id);
      }),
    );
  });

  it('Digital Link on a custom domain and prefix → element string → identifier', () => {
    fc.assert(
      fc.property(
        identifier,
        fc.constantFrom('https://id.gs1.org', 'https://brand.example/01/dl', 'http://x.test/a/b/'),
        (id, base) => {
          const fromLink = parseDigitalLink(toDigitalLink(id, base), { now });
          expect(fromLink).toEqual(id);
          expect(parseElementString(toElementString(fromLink), { now })).toEqual(id);
        },
      ),
    );
  });

  it('parenthesised ↔ FNC1 forms carry the same identifier', () => {
    fc.assert(
      fc.property(identifier, fc.constantFrom('', ']C1', ']d2', ']Q3', ']e0'), (id, symbologyId) => {
        const fromFnc1 = parseProductCode(`${symbologyId}${toElementString(id, 'fnc1')}`, { now });
        expect(fromFnc1).toEqual(id);
        expect(parseProductCode(toElementString(fromFnc1, 'parentheses'), { now })).toEqual(id);
      }),
    );
  });

  it('any GTIN-8/12/13/14 with a correct check digit is accepted and padded to 14 digits', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(7, 11, 12, 13).chain((n) => digits(n, n)),
        (body) => {
          const gtin = `${body}${gtinCheckDigit(body)}`;
          expect(parseProductCode(gtin).gtin).toBe(gtin.padStart(14, '0'));
          const wrong = `${body}${(gtinCheckDigit(body) + 1) % 10}`;
          expect(() => parseGtin(wrong)).toThrow(InvalidGs1Code);
        },
      ),
    );
  });
});

// fast-check 4 replaced fc.fullUnicodeString() with fc.string({ unit: 'binary' }) (any code point, lone surrogates included).
describe('no input makes a parser throw anything but InvalidGs1Code', () => {
  const validCodes = identifier.chain((id) =>
    fc.constantFrom(
      toElementString(id, 'parentheses'),
      toElementString(id, 'fnc1'),
      toDigitalLink(id, 'https://e.test/p'),
    ),
  );
  const mutation = fc
    .tuple(
      validCodes,
      fc.nat(),
      fc.nat(3),
      fc.string({ maxLength: 4 }),
      fc.constantFrom('insert', 'delete', 'replace'),
    )
    .map(([code, at, count, text, kind]) => {
      const i = at % (code.length + 1);
      if (kind === 'insert') return code.slice(0, i) + text + code.slice(i);
      if (kind === 'delete') return code.slice(0, i) + code.slice(i + count);
      return code.slice(0, i) + text + code.slice(i + text.length);
    });
  const gs1ish = fc.string({
    unit: fc.constantFrom(...'0123456789()\u001d]Cd%/?=&\\:h', 'https://', '01', '10', '17'),
    maxLength: 40,
  });

  it.each(parsers)(
    '%s on arbitrary strings, full Unicode, GS1-ish noise and mutated valid codes',
    (_, parse) => {
      const inputs = fc.oneof(
        fc.string(),
        fc.string({ unit: 'binary' }),
        fc.string({ unit: 'grapheme' }),
        gs1ish,
        mutation,
      );
      fc.assert(
        fc.property(inputs, (input) => parsesOrRefuses(parse, input)),
        { numRuns: 500 },
      );
    },
  );

  it('parsers refuse non-string input with InvalidGs1Code', () => {
    for (const [, parse] of parsers) {
      for (const input of [undefined, null, 42, {}, []]) parsesOrRefuses(parse, input as unknown as string);
    }
  });
});
