import type { Pool } from '@packytrace/service-kit';
import type { RuleSet, VerdictRules } from '../domain/rule-set';

/** Verdict rule sets; insert-only (a trigger refuses UPDATE and DELETE). */
export class RuleSetRepository {
  private cached?: { ruleSet: RuleSet; at: number };

  constructor(
    private readonly pool: Pool,
    private readonly cacheMs = 5_000,
  ) {}

  /** Adds a version unless it exists already (seeding at start is idempotent). */
  async publish(ruleSet: RuleSet): Promise<void> {
    await this.pool.query(
      'INSERT INTO rule_sets (version, rules) VALUES ($1, $2) ON CONFLICT (version) DO NOTHING',
      [ruleSet.version, JSON.stringify(ruleSet.rules)],
    );
    this.cached = undefined;
  }

  /** The newest version; cached briefly because every verdict needs it. */
  async current(): Promise<RuleSet> {
    if (this.cached && Date.now() - this.cached.at < this.cacheMs) return this.cached.ruleSet;
    const { rows } = await this.pool.query<{ version: string; rules: VerdictRules }>(
      'SELECT version, rules FROM rule_sets ORDER BY seq DESC LIMIT 1',
    );
    if (!rows[0]) throw new Error('no verdict rule set published');
    const ruleSet = { version: rows[0].version, rules: rows[0].rules };
    this.cached = { ruleSet, at: Date.now() };
    return ruleSet;
  }

  async find(version: string): Promise<RuleSet | undefined> {
    const { rows } = await this.pool.query<{ version: string; rules: VerdictRules }>(
      'SELECT version, rules FROM rule_sets WHERE version = $1',
      [version],
    );
    return rows[0] && { version: rows[0].version, rules: rows[0].rules };
  }
}
