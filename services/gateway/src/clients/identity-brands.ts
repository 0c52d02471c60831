import type { InternalAccountBrand } from '@packytrace/contracts';
import { InternalClient, Problem, UpstreamUnavailable } from '@packytrace/service-kit';

type Entry = { brandId: string | null; expiresAt: number };

/**
 * Which Brand an account works for, asked of Identity (GET /internal/accounts/{id}/brand) and kept
 * for a short time. The cache is dropped whenever identity.brands.v1 announces a change, so a new
 * Brand user is recognised at once and no stale scope outlives the TTL.
 */
export class BrandDirectory {
  private readonly cache = new Map<string, Entry>();

  constructor(
    private readonly client: InternalClient,
    private readonly ttlMs: number,
  ) {}

  async brandOf(accountId: string, requestId: string): Promise<string | null> {
    const cached = this.cache.get(accountId);
    if (cached && cached.expiresAt > Date.now()) return cached.brandId;
    const brandId = await this.lookup(accountId, requestId);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(accountId, { brandId, expiresAt: Date.now() + this.ttlMs });
    return brandId;
  }

  private async lookup(accountId: string, requestId: string): Promise<string | null> {
    try {
      const response = await this.client.call<InternalAccountBrand>(
        'GET',
        `/internal/accounts/${encodeURIComponent(accountId)}/brand`,
        {
          requestId,
          timeoutMs: 2_000,
        },
      );
      if (response.status === 200) return response.body.brandId;
      if (response.status === 404) return null;
    } catch (error) {
      if (!(error instanceof UpstreamUnavailable)) throw error;
    }
    throw new Problem(
      503,
      'upstream_unavailable',
      'Service unavailable',
      'Brand access cannot be checked right now; try again shortly.',
    );
  }

  /** Whether an answer for the account is cached and fresh (tests and diagnostics). */
  isCached(accountId: string): boolean {
    return (this.cache.get(accountId)?.expiresAt ?? 0) > Date.now();
  }

  forget(accountId?: string): void {
    if (accountId) this.cache.delete(accountId);
    else this.cache.clear();
  }
}
