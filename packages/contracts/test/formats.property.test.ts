import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IsDateTime, IsUuid } from 'typebox/format';
import { isDateTime, isUuid } from '../src/index';

// The pipeline checks every event against its contract; the contracts package registers faster `uuid`
// and `date-time` checks with TypeBox. They must accept exactly what TypeBox's own checks accept.
const alphabet = '0123456789abcdefABCDEF-:.TtZz+[]x ';
const mutated = (base: fc.Arbitrary<string>) =>
  fc
    .tuple(base, fc.nat(), fc.constantFrom(...alphabet), fc.constantFrom('replace', 'insert', 'delete'))
    .map(([s, at, c, how]) => {
      const i = s.length === 0 ? 0 : at % s.length;
      if (how === 'replace') return s.slice(0, i) + c + s.slice(i + 1);
      if (how === 'insert') return s.slice(0, i) + c + s.slice(i);
      return s.slice(0, i) + s.slice(i + 1);
    });
const isoTimes = fc
  .date({ min: new Date(-62_000_000_000_000), max: new Date(250_000_000_000_000), noInvalidDate: true })
  .map((d) => d.toISOString())
  .filter((s) => !s.startsWith('+') && !s.startsWith('-'));
const stamps = fc.oneof(
  isoTimes,
  isoTimes.map((s) => s.replace('.', '.123456').toLowerCase()),
  isoTimes.map((s) => s.replace(/\.\d+Z$/, 'Z')),
  isoTimes.map((s) => s.replace('Z', '+02:00')),
  fc
    .tuple(fc.nat(9999), fc.nat(14), fc.nat(32), fc.nat(25), fc.nat(61), fc.nat(61))
    .map(
      ([y, mo, d, h, mi, s]) =>
        `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:${String(s).padStart(2, '0')}Z`,
    ),
);

describe('fast event formats', () => {
  it('accept exactly the uuids TypeBox accepts', () => {
    const uuids = fc.oneof(
      fc.uuid().map((u) => u.toUpperCase()),
      fc.uuid(),
      fc.string({ maxLength: 40 }),
    );
    fc.assert(
      fc.property(fc.oneof(uuids, mutated(uuids), mutated(mutated(fc.uuid()))), (s) => {
        expect(isUuid(s)).toBe(IsUuid(s));
      }),
      { numRuns: 20_000 },
    );
  });

  it('accept exactly the date-times TypeBox accepts', () => {
    fc.assert(
      fc.property(
        fc.oneof(stamps, mutated(stamps), mutated(mutated(stamps)), fc.string({ maxLength: 30 })),
        (s) => {
          expect(isDateTime(s)).toBe(IsDateTime(s));
        },
      ),
      { numRuns: 50_000 },
    );
  });

  it('agree on the edge cases of the calendar and the clock', () => {
    for (const s of [
      '2024-02-29T12:00:00Z',
      '2023-02-29T12:00:00Z',
      '1900-02-29T00:00:00Z',
      '2000-02-29T00:00:00.5z',
      '2024-13-01T00:00:00Z',
      '2024-04-31T00:00:00Z',
      '2024-00-10T00:00:00Z',
      '2024-01-10T24:00:00Z',
      '2024-01-10T23:60:00Z',
      '2016-12-31T23:59:60Z',
      '2016-12-31T22:59:60Z',
      '2024-01-10T10:00:00.Z',
      '2024-01-10t10:00:00Z',
      '2024-01-10T10:00:00',
      '2024-01-10T10:00:00Z[Europe/Berlin]',
      '２０２４-01-10T10:00:00Z',
    ]) {
      expect(isDateTime(s), s).toBe(IsDateTime(s));
    }
    expect(isDateTime('2016-12-31T23:59:60Z')).toBe(true);
    expect(isDateTime('2023-02-29T12:00:00Z')).toBe(false);
  });
});
