import type { Problem } from '@packytrace/service-kit';
import type { VerifiedCaller } from './jwt';

export interface VerifiedTokenCacheOptions {
  /** Most tokens remembered as valid (least recently used go first); 0 turns the cache off. */
  max: number;
  /** An entry never outlives this, even when the token's `exp` is further away. */
  maxTtlMs: number;
  /** Most tokens remembered as invalid, and for how long: just enough to shed a burst of one bad token. */
  negativeMax: number;
  negativeTtlMs: number;
  now?: () => number;
}

type Entry<T> = { value: T; expiresAt: number };

/**
 * Remembers the outcome of verifying an exact token string, so a client sending the same access
 * token on every request pays for one RS256 signature check, not one per request. A valid token is
 * kept until its own `exp` at the latest (never longer than jose would accept it); a refused one
 * only for a few seconds; a failure that is ours (JWKS unreachable) is never kept.
 */
export class VerifiedTokenCache {
  private readonly valid = new Map<string, Entry<VerifiedCaller>>();
  private readonly invalid = new Map<string, Entry<Problem>>();
  private readonly now: () => number;

  constructor(private readonly options: VerifiedTokenCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The remembered caller, the remembered refusal, or undefined when the token must be verified. */
  lookup(token: string): { caller: VerifiedCaller } | { refusal: Problem } | undefined {
    const caller = this.fresh(this.valid, token);
    if (caller) return { caller };
    const refusal = this.fresh(this.invalid, token);
    return refusal ? { refusal } : undefined;
  }

  /** `expSeconds` is the token's `exp` claim (RFC 7519 4.1.4), in seconds since the epoch. */
  rememberValid(token: string, caller: VerifiedCaller, expSeconds: number): void {
    const expiresAt = Math.min(expSeconds * 1000, this.now() + this.options.maxTtlMs);
    remember(this.valid, this.options.max, token, { value: caller, expiresAt });
  }

  /** Only for the caller's own fault (401): a 503 must be retried on the next request. */
  rememberInvalid(token: string, refusal: Problem): void {
    if (refusal.status !== 401) return;
    remember(this.invalid, this.options.negativeMax, token, {
      value: refusal,
      expiresAt: this.now() + this.options.negativeTtlMs,
    });
  }

  get size(): number {
    return this.valid.size;
  }

  private fresh<T>(map: Map<string, Entry<T>>, token: string): T | undefined {
    const entry = map.get(token);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      map.delete(token);
      return undefined;
    }
    // Re-inserting moves the entry to the end of the Map's insertion order: most recently used.
    map.delete(token);
    map.set(token, entry);
    return entry.value;
  }
}

function remember<T>(map: Map<string, Entry<T>>, max: number, token: string, entry: Entry<T>): void {
  if (max <= 0) return;
  map.delete(token);
  map.set(token, entry);
  // A Map iterates in insertion order, so its first key is the least recently used.
  while (map.size > max) map.delete(map.keys().next().value!);
}
