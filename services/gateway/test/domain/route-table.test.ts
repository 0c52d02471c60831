import { describe, expect, it } from 'vitest';
import { isBrandScoped, upstreamFor } from '../../src/domain/route-table';

describe('route table (docs/API.md)', () => {
  it.each([
    ['/api/v1/accounts', 'identity'],
    ['/api/v1/me', 'identity'],
    ['/api/v1/me/consents', 'identity'],
    ['/api/v1/me/consents/analytics', 'identity'],
    ['/api/v1/admin/brands/abc/users', 'identity'],
    ['/api/v1/products?q=milk&limit=5', 'passport'],
    ['/api/v1/products/04012345000016', 'passport'],
    ['/api/v1/scans', 'passport'],
    ['/api/v1/me/scans', 'passport'],
    ['/api/v1/brand/products/04012345000016/recalls', 'passport'],
    ['/api/v1/me/profile', 'personalization'],
    ['/api/v1/verdict-rules', 'personalization'],
    ['/api/v1/fridge', 'fridge'],
    ['/api/v1/fridge/items/1/consume', 'fridge'],
    ['/api/v1/brand/metrics?from=2026-01-01', 'brand-analytics'],
  ])('%s → %s', (path, upstream) => expect(upstreamFor(path)).toBe(upstream));

  it.each([
    '/api/v1/productsX',
    '/api/v1/me/other',
    '/api/v1/accounts/x',
    '/internal/accounts/x/brand',
    '/api/v1/fridge/../admin',
    '/api/v2/me',
  ])('routes nothing for %s', (path) => expect(upstreamFor(path)).toBeUndefined());

  // Each of these would be forwarded to a path outside the table once the forwarding URL is parsed.
  it.each([
    '/api/v1/verdict-rules/x\\..\\..\\..\\..\\internal/verdicts',
    '/api/v1/admin/x\\..\\..\\..\\..\\internal/accounts/a/brand',
    '/api/v1/fridge\\..\\..\\..\\internal',
    '/api/v1/fridge/%2e%2e/%2E%2E/%2e%2e/internal',
    '/api/v1/fridge/.%2e/.%2e/.%2e/internal',
    '/api/v1/fridge/./items',
    '/api/v1/fridge/..',
  ])('refuses %s, which a URL parser would rewrite', (path) => expect(upstreamFor(path)).toBeUndefined());

  it('Brand scope covers /api/v1/brand/* only', () => {
    expect(isBrandScoped('/api/v1/brand/metrics')).toBe(true);
    expect(isBrandScoped('/api/v1/brands')).toBe(false);
  });
});
