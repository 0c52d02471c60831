import { describe, expect, it } from 'vitest';
import { InvalidGs1Code, parseElementString } from '../src/index.js';

const GTIN = '(01)09506000134352';

function expiryOf(yymmdd: string, now: Date): string | undefined {
  return parseElementString(`${GTIN}(17)${yymmdd}`, { now }).expiry;
}

describe('GS1 dates (GenSpecs 7.12)', () => {
  const in2025 = new Date('2025-06-15T12:00:00Z');

  it('reads YYMMDD as YYYY-MM-DD', () => {
    expect(expiryOf('251231', in2025)).toBe('2025-12-31');
  });

  it('DD=00 means the last day of the month, leap years included', () => {
    expect(expiryOf('250200', in2025)).toBe('2025-02-28');
    expect(expiryOf('280200', in2025)).toBe('2028-02-29');
    expect(expiryOf('250400', in2025)).toBe('2025-04-30');
  });

  it.each([
    // YY − 25: 51..99 → previous century; −99..−50 → next century; otherwise this century
    ['750101', '2075-01-01'], // +50: same century
    ['760101', '1976-01-01'], // +51: previous century
    ['990101', '1999-01-01'],
    ['000101', '2000-01-01'], // −25
  ])('in 2025, %s is %s', (yymmdd, iso) => {
    expect(expiryOf(yymmdd, in2025)).toBe(iso);
  });

  it.each([
    [new Date('2060-01-01T00:00:00Z'), '100101', '2110-01-01'], // 10 − 60 = −50: next century
    [new Date('2060-01-01T00:00:00Z'), '110101', '2011-01-01'], // −49: same century
    [new Date('2099-07-01T00:00:00Z'), '010101', '2101-01-01'], // −98: next century
    [new Date('2001-07-01T00:00:00Z'), '520101', '1952-01-01'], // 52 − 1 = +51: previous century
    [new Date('2001-07-01T00:00:00Z'), '510101', '2051-01-01'], // +50: same century
  ])('relative to now=%s, %s is %s', (now, yymmdd, iso) => {
    expect(expiryOf(yymmdd, now)).toBe(iso);
  });

  it('reports the month with AI and position', () => {
    const error = catchError(() => expiryOf('251340', in2025));
    expect(error).toBeInstanceOf(InvalidGs1Code);
    expect((error as InvalidGs1Code).message).toBe(
      'AI (17) date 251340: month 13 out of range at position 18',
    );
    expect(error).toMatchObject({ ai: '17', position: 18 });
  });

  it.each(['250230', '250229', '250132', '250431', '250000', '251300'])(
    'refuses the impossible date %s',
    (yymmdd) => {
      expect(() => expiryOf(yymmdd, in2025)).toThrow(InvalidGs1Code);
    },
  );

  it('best before comes from AI (15), production date stays a raw attribute', () => {
    const id = parseElementString(`${GTIN}(15)260115(11)250101`, { now: in2025 });
    expect(id.bestBefore).toBe('2026-01-15');
    expect(id.expiry).toBeUndefined();
    expect(id.attributes['11']).toBe('250101');
  });

  it('AI (8008) production date and time: a real day, hours and minutes in range', () => {
    expect(parseElementString(`${GTIN}(8008)2501011230`, { now: in2025 }).attributes['8008']).toBe(
      '2501011230',
    );
    expect(() => parseElementString(`${GTIN}(8008)25010124`, { now: in2025 })).toThrow(
      'hour 24 out of range',
    );
    expect(() => parseElementString(`${GTIN}(8008)25010012`, { now: in2025 })).toThrow('day 00 out of range');
    expect(() => parseElementString(`${GTIN}(8008)250101126`, { now: in2025 })).toThrow(InvalidGs1Code);
  });
});

function catchError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
