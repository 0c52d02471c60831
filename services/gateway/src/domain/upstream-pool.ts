/**
 * The instances of one service behind the gateway (a comma-separated list in PT_<SERVICE>_URL):
 * round robin over the ones not known to be down. An instance that refused a connection is left out
 * for `ejectMs`; when every instance is out, they are all tried again (better than refusing outright).
 */
export class UpstreamPool {
  readonly origins: readonly string[];
  private next = 0;
  private readonly downUntil = new Map<string, number>();

  constructor(
    list: string,
    private readonly ejectMs = 5_000,
  ) {
    this.origins = list
      .split(',')
      .map((u) => u.trim().replace(/\/+$/, ''))
      .filter((u) => u.length > 0);
    if (this.origins.length === 0) throw new Error('an upstream needs at least one URL');
  }

  get size(): number {
    return this.origins.length;
  }

  /** The next instance in turn, skipping those left out; `avoid` (the one that just failed) last. */
  pick(avoid?: string): string {
    if (this.origins.length === 1) return this.origins[0]!;
    const now = Date.now();
    for (let tried = 0; tried < this.origins.length; tried++) {
      const origin = this.origins[this.next]!;
      this.next = (this.next + 1) % this.origins.length;
      if (origin !== avoid && (this.downUntil.get(origin) ?? 0) <= now) return origin;
    }
    const fallback = this.origins[this.next]!;
    this.next = (this.next + 1) % this.origins.length;
    return fallback === avoid && this.origins.length > 1 ? this.pick() : fallback;
  }

  markDown(origin: string): void {
    if (this.origins.length > 1) this.downUntil.set(origin, Date.now() + this.ejectMs);
  }
}
