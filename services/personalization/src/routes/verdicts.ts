import { VerdictRequest, VerdictResponse, VerdictRuleSetBody } from '@packytrace/contracts';
import type { ServiceApp } from '@packytrace/service-kit';
import type { ProfileRepository } from '../db/profiles';
import type { RuleSetRepository } from '../db/rule-sets';
import { openProfile } from '../domain/profile-crypto';
import { verdictFor } from '../domain/verdict';

export interface VerdictRouteDeps {
  profiles: ProfileRepository;
  ruleSets: RuleSetRepository;
  profileKey: Buffer;
}

/** The current rule set (public) and the verdict Passport asks for during a scan (internal). */
export function verdictRoutes(deps: VerdictRouteDeps) {
  return async (app: ServiceApp) => {
    app.get(
      '/api/v1/verdict-rules',
      { schema: { tags: ['verdicts'], response: { 200: VerdictRuleSetBody } } },
      async () => {
        const ruleSet = await deps.ruleSets.current();
        return { version: ruleSet.version, rules: ruleSet.rules as unknown as Record<string, unknown> };
      },
    );

    app.post(
      '/internal/verdicts',
      {
        // Asked once per signed-in scan: the gateway's access log has the scan; warnings and errors are still logged.
        logLevel: 'warn',
        schema: { tags: ['internal'], body: VerdictRequest, response: { 200: VerdictResponse } },
      },
      async (request) => {
        const { accountId, product } = request.body;
        const sealed = await deps.profiles.find(accountId);
        if (!sealed) return { status: 'no_profile' as const, verdict: null };
        const profile = openProfile(sealed, accountId, deps.profileKey);
        return {
          status: 'ok' as const,
          verdict: verdictFor(profile, product, await deps.ruleSets.current()),
        };
      },
    );
  };
}
