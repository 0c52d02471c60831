import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { invalidPrefixes, overlappingPrefixes, prefixesOverlap } from '../../src/domain/prefixes';
import { isValidEmail } from '../../src/domain/email';

describe('GS1 company prefixes', () => {
  it('accepts 6 to 12 digits only', () => {
    expect(invalidPrefixes(['123456', '123456789012', '12345', '1234567890123', '12a456'])).toEqual([
      '12345',
      '1234567890123',
      '12a456',
    ]);
  });

  it('a prefix overlaps any extension of itself, in both directions', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{6,9}$/), fc.stringMatching(/^\d{0,3}$/), (p, ext) => {
        expect(prefixesOverlap(p, p + ext)).toBe(true);
        expect(prefixesOverlap(p + ext, p)).toBe(true);
      }),
    );
  });

  it('finds clashes with existing prefixes and within the request', () => {
    expect(overlappingPrefixes(['4012345'], ['5701234'])).toEqual([]);
    expect(overlappingPrefixes(['40123456'], ['4012345'])).toEqual([['40123456', '4012345']]);
    expect(overlappingPrefixes(['401234', '4012345'], [])).toEqual([['401234', '4012345']]);
  });
});

describe('email check', () => {
  it.each(['a@b.co', 'first.last+tag@sub.example.org'])('accepts %s', (e) =>
    expect(isValidEmail(e)).toBe(true),
  );
  it.each(['plain', 'a@b', 'a b@c.de', 'a@@b.de', 'a..b@c.de', '@c.de'])('refuses %s', (e) =>
    expect(isValidEmail(e)).toBe(false),
  );
});
