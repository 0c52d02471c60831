import { describe, expect, it } from 'vitest';
import { InvalidGs1Code, parseElementString, parseProductCode, toElementString } from '../src/index.js';

const now = new Date('2025-06-15T12:00:00Z');
const GS = '\u001d';

function parse(input: string) {
  return parseElementString(input, { now });
}

function refusal(input: string): InvalidGs1Code {
  try {
    parse(input);
  } catch (error) {
    if (error instanceof InvalidGs1Code) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
}

describe('parenthesised element strings', () => {
  it('reads GTIN, expiry and batch', () => {
    expect(parse('(01)09506000134352(17)251231(10)ABC123')).toEqual({
      gtin: '09506000134352',
      expiry: '2025-12-31',
      batch: 'ABC123',
      attributes: { '01': '09506000134352', '17': '251231', '10': 'ABC123' },
    });
  });

  it('reads serial, consumer product variant, best before, weight, price, origin, count', () => {
    const id = parse('(01)09506000134352(22)2A(21)12345(15)260101(3103)000525(3922)1299(422)250(30)12');
    expect(id).toMatchObject({ serial: '12345', cpv: '2A', bestBefore: '2026-01-01' });
    expect(id.attributes).toMatchObject({ '3103': '000525', '3922': '1299', '422': '250', '30': '12' });
  });

  it('a "(" inside a value is escaped as "\\(", ")" needs no escape', () => {
    expect(parse('(01)09506000134352(10)A\\(1)B').batch).toBe('A(1)B');
  });

  it('names the unknown AI', () => {
    expect(refusal('(01)09506000134352(99)ABC')).toMatchObject({ ai: '99', position: 18 });
  });

  it.each([
    ['(01)0950600013435', 'AI (01) needs 14 characters, found 13'],
    ['(01)095060001343521', 'AI (01) needs 14 characters, found 15'],
    ['(01)0950600013435A', 'AI (01) value "0950600013435A" has \'A\' at offset 13; expected digits only'],
    ['(01)09506000134353', 'check digit of GTIN 09506000134353 should be 2, found 3 at position 0'],
    ['(01)09506000134352(10)', 'AI (10) needs 1 to 20 characters, found 0'],
    ['(01)09506000134352(10)ABCDEFGHIJKLMNOPQRSTU', 'AI (10) needs 1 to 20 characters, found 21'],
    [
      '(01)09506000134352(10)AB CD',
      'AI (10) value "AB CD" has U+0020 at offset 2; expected GS1 character set 82',
    ],
    ['(01)09506000134352(17)25123', 'AI (17) needs 6 characters, found 5'],
    ['(01)09506000134352(3106)000525', 'unknown or unsupported AI (3106)'],
    ['(01)09506000134352(10)A(10)B', 'AI (10) appears more than once'],
    ['(17)251231(10)ABC', 'no GTIN: the code has no AI (01)'],
    ['(01', 'expected an AI of 2 to 4 digits in parentheses'],
    ['(x)1', 'expected an AI of 2 to 4 digits in parentheses'],
    ['(00)106141412345678909', 'check digit of SSCC 106141412345678909 should be 8, found 9'],
  ])('refuses %j: %s', (input, message) => {
    expect(refusal(input).message).toContain(message);
  });
});

describe('raw element strings with FNC1 as GS (GenSpecs 7.8.5)', () => {
  it('reads predefined-length AIs without separators and variable ones up to GS', () => {
    expect(parse(`010950600013435217251231` + `10ABC123${GS}21XYZ`)).toMatchObject({
      gtin: '09506000134352',
      expiry: '2025-12-31',
      batch: 'ABC123',
      serial: 'XYZ',
    });
  });

  it.each([']C1', ']d2', ']Q3', ']e0'])('accepts the GS1 symbology identifier %s', (symbologyId) => {
    expect(parse(`${symbologyId}0109506000134352${'10'}LOT7`)).toMatchObject({
      gtin: '09506000134352',
      batch: 'LOT7',
    });
  });

  it('tolerates a leading FNC1, a GS after a predefined-length AI and a trailing GS', () => {
    expect(parse(`${GS}0109506000134352${GS}10LOT${GS}`)).toMatchObject({
      gtin: '09506000134352',
      batch: 'LOT',
    });
  });

  it('a fixed-length AI outside the predefined table (422) needs a separator before the next AI', () => {
    expect(parse(`0109506000134352422250${GS}10A`).attributes['422']).toBe('250');
    expect(refusal(`010950600013435242225010A`)).toMatchObject({ ai: '422', position: 16 });
  });

  it.each([
    [']E0010950600013435', 'symbology identifier "]E0" is not a GS1 one'],
    [']C1', 'no element data after the symbology identifier'],
    ['0109506000134352990', 'unknown or unsupported AI at "990" at position 16'],
    [`01095060001343${GS}5210A`, 'AI (01) needs 14 characters, found 12'],
    [`0109506000134352${GS}${GS}10A`, 'expected an AI (digits), found "U+001D'],
    ['hello', 'expected an AI (digits), found "hell"'],
    ['010950600013435217251340', 'AI (17) date 251340: month 13 out of range at position 16'],
  ])('refuses %j', (input, message) => {
    expect(refusal(input).message).toContain(message);
  });
});

describe('toElementString', () => {
  const id = parse('(01)09506000134352(10)ABC(21)S\\(1)(17)251200(3103)000525');

  it('writes the parenthesised form with GTIN and qualifiers first', () => {
    expect(toElementString(id)).toBe('(01)09506000134352(10)ABC(21)S\\(1)(17)251200(3103)000525');
  });

  it('writes the FNC1 form with predefined-length AIs first and GS only between variable ones', () => {
    expect(toElementString(id, 'fnc1')).toBe(`0109506000134352172512003103000525` + `10ABC${GS}21S(1)`);
  });

  it('refuses an identifier with a bad GTIN or a bad date', () => {
    expect(() => toElementString({ gtin: '09506000134353', attributes: {} })).toThrow(InvalidGs1Code);
    expect(() => toElementString({ gtin: '09506000134352', expiry: '2025-02-30', attributes: {} })).toThrow(
      InvalidGs1Code,
    );
  });
});

describe('parseProductCode detects the form', () => {
  it.each([
    ['09506000134352', { gtin: '09506000134352' }],
    ['95010137', { gtin: '00000095010137' }],
    ['4006381333931\r\n', { gtin: '04006381333931' }],
    ['(01)09506000134352(10)ABC', { batch: 'ABC' }],
    [`]d20109506000134352${'21'}S1`, { serial: 'S1' }],
    ['0109506000134352', { gtin: '09506000134352' }],
    ['https://id.gs1.org/01/09506000134352/10/ABC', { batch: 'ABC' }],
    ['HTTP://EXAMPLE.COM/01/09506000134352', { gtin: '09506000134352' }],
    ['https://id.gs1.org/01/09506000134352\r\n', { gtin: '09506000134352' }],
  ])('%j', (input, expected) => {
    expect(parseProductCode(input, { now })).toMatchObject(expected);
  });

  it.each(['', '   ', '0950600013435', '09506000134353', 'not a code', 'x'.repeat(10_000)])(
    'refuses %j',
    (input) => {
      expect(() => parseProductCode(input, { now })).toThrow(InvalidGs1Code);
    },
  );
});
