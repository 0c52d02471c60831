import { describe, expect, it } from 'vitest';
import { InvalidGs1Code, parseDigitalLink, toDigitalLink } from '../src/index.js';

const now = new Date('2025-06-15T12:00:00Z');

function parse(uri: string) {
  return parseDigitalLink(uri, { now });
}

function refusal(uri: string): InvalidGs1Code {
  try {
    parse(uri);
  } catch (error) {
    if (error instanceof InvalidGs1Code) return error;
    throw error;
  }
  throw new Error(`expected ${uri} to be refused`);
}

describe('parseDigitalLink (GS1 Digital Link URI Syntax 1.x, sections 4 and 6)', () => {
  it('reads the primary key alone, as in the standard’s examples', () => {
    expect(parse('https://id.gs1.org/01/09506000134352')).toEqual({
      gtin: '09506000134352',
      attributes: { '01': '09506000134352' },
    });
  });

  it('reads qualifiers from a custom domain with a path prefix and data attributes from the query', () => {
    const id = parse('https://id.example.com/some/prefix/01/09506000134352/10/ABC?17=251231&3103=000525');
    expect(id).toEqual({
      gtin: '09506000134352',
      batch: 'ABC',
      expiry: '2025-12-31',
      attributes: { '01': '09506000134352', '10': 'ABC', '17': '251231', '3103': '000525' },
    });
  });

  it('reads all three qualifiers in their order 22, 10, 21', () => {
    expect(parse('https://example.com/01/09506000134352/22/2A/10/ABC1/21/12345')).toMatchObject({
      cpv: '2A',
      batch: 'ABC1',
      serial: '12345',
    });
  });

  it('normalises a GTIN-13 in the path to 14 digits', () => {
    expect(parse('https://example.com/01/4006381333931').gtin).toBe('04006381333931');
  });

  it('percent-decodes values and ignores non-AI query parameters and the fragment', () => {
    const id = parse('https://example.com/01/09506000134352/10/A%2FB%2526?linkType=gs1:pip&15=260100#top');
    expect(id.batch).toBe('A/B%26');
    expect(id.bestBefore).toBe('2026-01-31');
    expect(id.attributes).not.toHaveProperty('linkType');
  });

  it('a prefix segment "01" or a lot "01" is not taken for the primary key', () => {
    expect(parse('https://example.com/01/x/01/09506000134352/10/01/21/01')).toMatchObject({
      gtin: '09506000134352',
      batch: '01',
      serial: '01',
    });
  });

  it.each([
    [
      'https://id.gs1.org/01/09506000134352/21/S1/10/B1',
      'key qualifier (10) out of order; the order is 22, 10, 21',
    ],
    ['https://id.gs1.org/01/09506000134352/10/B1/10/B2', 'key qualifier (10) out of order'],
    ['https://id.gs1.org/01/09506000134353', 'check digit of GTIN 09506000134353 should be 2, found 3'],
    ['https://id.gs1.org/01/09506000134', 'has 11 digits'],
    ['https://id.gs1.org/01/09506000134352/17/251231', 'path segment "17" is not a GTIN key qualifier'],
    ['https://id.gs1.org/gtin/09506000134352', 'no primary key /01/{gtin}'],
    ['https://id.gs1.org/01/09506000134352/10', 'no primary key /01/{gtin}'],
    ['https://id.gs1.org/01/09506000134352?17=251340', 'AI (17) date 251340: month 13 out of range'],
    ['https://id.gs1.org/01/09506000134352?7003=2501011230', 'unknown or unsupported AI (7003)'],
    ['https://id.gs1.org/01/09506000134352?10=ABC', 'AI (10) is part of the key and belongs in the path'],
    ['https://id.gs1.org/01/09506000134352/10/%E0%A4%A', 'malformed percent-encoding'],
    ['https://id.gs1.org/01/09506000134352/10/A%20B', 'AI (10) value "A B" has U+0020'],
    ['https://id.gs1.org/01/09506000134352?3103=12', 'AI (3103) needs 6 characters, found 2'],
    ['ftp://id.gs1.org/01/09506000134352', 'is not an http(s) URI'],
    ['https:///01/09506000134352', 'is not an http(s) URI'],
  ])('refuses %s', (uri, message) => {
    expect(refusal(uri).message).toContain(message);
  });

  it.each([
    ['https://id.gs1.org/01/09506000134352?foo=\u0000', 'U+0000', 41],
    ['https://id.gs1.org/01/09506000134352#top\u0000', 'U+0000', 40],
    ['https://id.gs1.org/p\u0007/01/09506000134352', 'U+0007', 20],
    ['https://exa\u001dmple.com/01/09506000134352', 'U+001D', 11],
    ['https://id.gs1.org/01/09506000134352?linkType=x\u007f', 'U+007F', 47],
  ])('refuses a control character even where the parser skips text: %j', (uri, name, position) => {
    const error = refusal(uri);
    expect(error.message).toContain(`control character ${name} in the URI; percent-encode it`);
    expect(error.position).toBe(position);
  });

  it('accepts a percent-encoded control character in a skipped part', () => {
    expect(parse('https://id.gs1.org/01/09506000134352?foo=%00#%07').gtin).toBe('09506000134352');
  });

  it('points at the offending path segment', () => {
    const uri = 'https://id.gs1.org/01/09506000134352/21/S1/10/B1';
    expect(refusal(uri)).toMatchObject({ ai: '10', position: uri.indexOf('/10/') + 1 });
  });
});

describe('toDigitalLink', () => {
  it('writes the key and qualifiers in the path and the other AIs in the query', () => {
    const id = parse('https://example.com/p/01/09506000134352/10/ABC/21/S%2F1?3103=000525&17=251200');
    expect(toDigitalLink(id)).toBe(
      'https://id.gs1.org/01/09506000134352/10/ABC/21/S%2F1?17=251200&3103=000525',
    );
  });

  it('uses a given base with or without a trailing slash', () => {
    const id = { gtin: '95010137', attributes: {} };
    expect(toDigitalLink(id, 'https://brand.example/dl/')).toBe('https://brand.example/dl/01/00000095010137');
  });

  it('encodes date fields as YYMMDD', () => {
    const id = { gtin: '09506000134352', expiry: '2026-03-31', bestBefore: '2026-02-28', attributes: {} };
    expect(toDigitalLink(id)).toBe('https://id.gs1.org/01/09506000134352?17=260331&15=260228');
  });

  it('refuses an invalid identifier or base', () => {
    expect(() => toDigitalLink({ gtin: '123', attributes: {} })).toThrow(InvalidGs1Code);
    expect(() => toDigitalLink({ gtin: '09506000134352', batch: 'with space', attributes: {} })).toThrow(
      InvalidGs1Code,
    );
    expect(() => toDigitalLink({ gtin: '09506000134352', attributes: {} }, 'id.gs1.org')).toThrow(
      InvalidGs1Code,
    );
  });
});
