import { describe, expect, it } from 'vitest';
import { gtinInScope } from '../../src/domain/brand-scope';
import { prefixTsQuery } from '../../src/db/products';

describe('Brand scope by GS1 company prefix', () => {
  it('matches the prefix right after the indicator digit', () => {
    expect(gtinInScope('05701234100014', ['5701234'])).toBe(true);
    expect(gtinInScope('15701234100011', ['5701234'])).toBe(true);
  });
  it('refuses another prefix, a prefix hidden elsewhere, and implausibly short prefixes', () => {
    expect(gtinInScope('04012345100016', ['5701234'])).toBe(false);
    expect(gtinInScope('00001570123410', ['5701234'])).toBe(false);
    expect(gtinInScope('05701234100014', ['57012'])).toBe(false);
    expect(gtinInScope('05701234100014', [])).toBe(false);
  });
});

describe('search terms', () => {
  it('becomes word prefixes joined by AND, with no tsquery syntax from the caller', () => {
    expect(prefixTsQuery('Nord Skyr')).toBe('nord:* & skyr:*');
    expect(prefixTsQuery("a & | ! ( ' :*")).toBe('a:*');
    expect(prefixTsQuery('!!!')).toBe('');
    expect(prefixTsQuery('Crème brûlée')).toBe('crème:* & brûlée:*');
  });
});
