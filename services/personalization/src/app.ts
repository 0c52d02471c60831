import { createServiceApp, type Logger, type ReadinessCheck, type ServiceApp } from '@packytrace/service-kit';
import type { IdentityClient } from './clients/identity';
import type { ProfileRepository } from './db/profiles';
import type { RuleSetRepository } from './db/rule-sets';
import { profileRoutes } from './routes/profile';
import { verdictRoutes } from './routes/verdicts';

export interface PersonalizationDeps {
  logger: Logger;
  internalSecret: string;
  readiness: ReadinessCheck[];
  profiles: ProfileRepository;
  ruleSets: RuleSetRepository;
  identity: IdentityClient;
  profileKey: Buffer;
}

/** Builds the personalization service's HTTP app from its dependencies; does not listen. */
export function buildApp(deps: PersonalizationDeps): ServiceApp {
  const app = createServiceApp({
    name: 'personalization',
    logger: deps.logger,
    internalSecret: deps.internalSecret,
    readiness: deps.readiness,
  });
  void app.register(profileRoutes(deps));
  void app.register(verdictRoutes(deps));
  return app;
}
