import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newVisitorId, signVisitorId, verifyVisitorCookie } from '../../src/domain/visitor-cookie';

const secret = 'a-visitor-cookie-secret-for-tests';

describe('visitor cookie', () => {
  it('round-trips a signed Visitor ID', () => {
    const id = newVisitorId();
    expect(verifyVisitorCookie(signVisitorId(id, secret), secret)).toBe(id);
  });

  it('refuses a cookie signed with another key', () => {
    expect(
      verifyVisitorCookie(signVisitorId(newVisitorId(), 'another-secret-entirely!'), secret),
    ).toBeUndefined();
  });

  it('refuses any single-character change', () => {
    const cookie = signVisitorId(newVisitorId(), secret);
    fc.assert(
      fc.property(fc.nat({ max: cookie.length - 1 }), fc.string({ minLength: 1, maxLength: 1 }), (at, ch) => {
        const changed = cookie.slice(0, at) + ch + cookie.slice(at + 1);
        fc.pre(changed !== cookie);
        expect(verifyVisitorCookie(changed, secret)).toBeUndefined();
      }),
    );
  });

  it('refuses malformed values', () => {
    for (const value of [undefined, '', 'abc', '.', 'not-a-uuid.sig'])
      expect(verifyVisitorCookie(value, secret)).toBeUndefined();
  });
});
