import { afterEach, describe, expect, it, vi } from 'vitest';
import { UpstreamPool } from '../../src/domain/upstream-pool';

describe('UpstreamPool', () => {
  afterEach(() => vi.useRealTimers());

  it('reads one URL or a comma-separated list, without trailing slashes', () => {
    expect(new UpstreamPool('http://a:1/').origins).toEqual(['http://a:1']);
    expect(new UpstreamPool(' http://a:1, http://b:2/ ,').origins).toEqual(['http://a:1', 'http://b:2']);
    expect(() => new UpstreamPool(' , ')).toThrow(/at least one/);
  });

  it('takes the instances in turn', () => {
    const pool = new UpstreamPool('http://a,http://b,http://c');
    expect([1, 2, 3, 4, 5, 6].map(() => pool.pick())).toEqual([
      'http://a',
      'http://b',
      'http://c',
      'http://a',
      'http://b',
      'http://c',
    ]);
  });

  it('leaves an instance that refused out until its time is up, then takes it back', () => {
    vi.useFakeTimers();
    const pool = new UpstreamPool('http://a,http://b', 5_000);
    pool.markDown('http://a');
    expect([1, 2, 3].map(() => pool.pick())).toEqual(['http://b', 'http://b', 'http://b']);
    vi.advanceTimersByTime(5_001);
    expect(new Set([1, 2].map(() => pool.pick()))).toEqual(new Set(['http://a', 'http://b']));
  });

  it('tries every instance again when all are out, the one that just failed last', () => {
    const pool = new UpstreamPool('http://a,http://b');
    pool.markDown('http://a');
    pool.markDown('http://b');
    expect(pool.pick('http://a')).toBe('http://b');
    expect(pool.pick('http://b')).toBe('http://a');
  });

  it('never leaves out the only instance', () => {
    const pool = new UpstreamPool('http://a');
    pool.markDown('http://a');
    expect(pool.pick()).toBe('http://a');
  });
});
