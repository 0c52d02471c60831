import { Problem, unauthorized } from '@packytrace/service-kit';
import { describe, expect, it } from 'vitest';
import { VerifiedTokenCache } from '../../src/auth/verified-tokens';

const caller = { accountId: 'a1', roles: ['consumer'] };

function cacheAt(
  start: number,
  overrides: Partial<ConstructorParameters<typeof VerifiedTokenCache>[0]> = {},
) {
  const clock = { now: start };
  const cache = new VerifiedTokenCache({
    max: 3,
    maxTtlMs: 300_000,
    negativeMax: 2,
    negativeTtlMs: 5_000,
    now: () => clock.now,
    ...overrides,
  });
  return { cache, clock };
}

describe('VerifiedTokenCache', () => {
  it('serves a verified token until its exp and not a millisecond longer', () => {
    const { cache, clock } = cacheAt(1_000_000);
    cache.rememberValid('t1', caller, 1_000 + 60); // exp 60 s from now
    expect(cache.lookup('t1')).toEqual({ caller });
    clock.now = 1_059_999;
    expect(cache.lookup('t1')).toEqual({ caller });
    clock.now = 1_060_000;
    expect(cache.lookup('t1')).toBeUndefined();
  });

  it('forgets a long-lived token after the maximum age, however far its exp is', () => {
    const { cache, clock } = cacheAt(0);
    cache.rememberValid('t1', caller, 24 * 3600);
    clock.now = 300_000;
    expect(cache.lookup('t1')).toBeUndefined();
  });

  it('knows only the exact token string', () => {
    const { cache } = cacheAt(0);
    cache.rememberValid('header.payload.signature', caller, 600);
    expect(cache.lookup('header.payload.signaturf')).toBeUndefined();
    expect(cache.lookup('header.payload.signature ')).toBeUndefined();
  });

  it('stays bounded, dropping the least recently used token first', () => {
    const { cache } = cacheAt(0);
    for (const t of ['t1', 't2', 't3']) cache.rememberValid(t, caller, 600);
    cache.lookup('t1'); // t2 is now the least recently used
    cache.rememberValid('t4', caller, 600);
    expect(cache.size).toBe(3);
    expect(cache.lookup('t2')).toBeUndefined();
    expect(cache.lookup('t1')).toEqual({ caller });
  });

  it('remembers a refused token for seconds only, and never a failure of our own (503)', () => {
    const { cache, clock } = cacheAt(0);
    const refusal = unauthorized('invalid_token', 'The access token is not valid.');
    cache.rememberInvalid('bad', refusal);
    cache.rememberInvalid(
      'unchecked',
      new Problem(503, 'upstream_unavailable', 'Service unavailable', 'try again'),
    );
    expect(cache.lookup('bad')).toEqual({ refusal });
    expect(cache.lookup('unchecked')).toBeUndefined();
    clock.now = 5_000;
    expect(cache.lookup('bad')).toBeUndefined();
  });

  it('remembers nothing when turned off', () => {
    const { cache } = cacheAt(0, { max: 0, negativeMax: 0 });
    cache.rememberValid('t1', caller, 600);
    cache.rememberInvalid('bad', unauthorized('invalid_token'));
    expect(cache.lookup('t1')).toBeUndefined();
    expect(cache.lookup('bad')).toBeUndefined();
  });
});
