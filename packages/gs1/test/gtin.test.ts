import { describe, expect, it } from 'vitest';
import { InvalidGs1Code, gtinCheckDigit, parseGtin } from '../src/index.js';

describe('gtinCheckDigit (GenSpecs 7.9.1)', () => {
  it.each([
    ['0950600013435', 2], // GS1's example GTIN 09506000134352
    ['400638133393', 1], // EAN-13 4006381333931
    ['03600029145', 2], // UPC-A 036000291452
    ['9501013', 7],
    ['10614141234567890', 8], // SSCC 106141412345678908
  ])('body %s has check digit %i', (body, digit) => {
    expect(gtinCheckDigit(body)).toBe(digit);
  });

  it('refuses a body that is not digits', () => {
    expect(() => gtinCheckDigit('12a4')).toThrow(InvalidGs1Code);
    expect(() => gtinCheckDigit('')).toThrow(InvalidGs1Code);
  });
});

describe('parseGtin', () => {
  it.each([
    ['95010137', '00000095010137'],
    ['036000291452', '00036000291452'],
    ['4006381333931', '04006381333931'],
    ['09506000134352', '09506000134352'],
    ['09506000134369', '09506000134369'],
  ])('normalises %s to GTIN-14 %s', (input, gtin14) => {
    expect(parseGtin(input)).toBe(gtin14);
  });

  it('names the expected and found check digit', () => {
    expect(() => parseGtin('09506000134353')).toThrow(
      'check digit of GTIN 09506000134353 should be 2, found 3',
    );
  });

  it.each(['', '0950600013435', '095060001343521', '0950600013435A', ' 09506000134352', '１２３４５６７８'])(
    'refuses %j',
    (input) => {
      expect(() => parseGtin(input)).toThrow(InvalidGs1Code);
    },
  );

  it('errors carry the stable problem code', () => {
    const error = catchError(() => parseGtin('12345678'));
    expect(error).toBeInstanceOf(InvalidGs1Code);
    expect(error).toMatchObject({ code: 'invalid_gs1_code', name: 'InvalidGs1Code' });
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

describe('a mistyped GTIN', () => {
  it('says how many digits a GTIN has instead of guessing an element string', async () => {
    const { parseProductCode } = await import('../src/index');
    expect(() => parseProductCode('12345')).toThrow('a GTIN has 8, 12, 13 or 14 digits; 12345 has 5');
    expect(() => parseProductCode('123456789')).toThrow(/has 9/);
  });
});
