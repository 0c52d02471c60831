import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  newVisitorId,
  signVisitorId,
  verifyVisitorCookie,
  VisitorCookies,
} from '../../src/domain/visitor-cookie';

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

describe('visitor cookies with a memory of verified values', () => {
  it('answers like the HMAC check, and remembers only values that passed it', () => {
    const cookies = new VisitorCookies(secret);
    const id = newVisitorId();
    const good = signVisitorId(id, secret);
    const tampered = `${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`;
    const foreign = signVisitorId(newVisitorId(), 'another-secret-entirely!');
    for (let i = 0; i < 3; i++) {
      expect(cookies.verify(good)).toBe(id);
      expect(cookies.verify(tampered)).toBeUndefined();
      expect(cookies.verify(foreign)).toBeUndefined();
      expect(cookies.verify(undefined)).toBeUndefined();
    }
    expect(cookies.size).toBe(1);
    expect(cookies.verify(cookies.sign(id))).toBe(id);
  });

  it('keeps at most max values, forgetting the oldest, and still verifies a forgotten one', () => {
    const cookies = new VisitorCookies(secret, 3);
    const ids = Array.from({ length: 5 }, () => newVisitorId());
    for (const id of ids) expect(cookies.verify(signVisitorId(id, secret))).toBe(id);
    expect(cookies.size).toBe(3);
    expect(cookies.verify(signVisitorId(ids[0]!, secret))).toBe(ids[0]);
    expect(cookies.size).toBe(3);
  });
});
