import { createServiceApp, type Logger, type Pool, type ReadinessCheck, type ServiceApp } from '@packytrace/service-kit';
import type { KeycloakDirectory } from './clients/keycloak';
import { accountRoutes } from './routes/accounts';
import { brandRoutes } from './routes/brands';
import { consentRoutes } from './routes/consents';

export interface IdentityDeps {
  logger: Logger;
  internalSecret: string;
  pool: Pool;
  keycloak: KeycloakDirectory;
  readiness: ReadinessCheck[];
  currentPolicyVersion: string;
}

/** Builds the identity service's HTTP app from its dependencies; does not listen. */
export function buildApp(deps: IdentityDeps): ServiceApp {
  const app = createServiceApp({
    name: 'identity',
    logger: deps.logger,
    internalSecret: deps.internalSecret,
    readiness: deps.readiness,
  });
  accountRoutes(app, deps);
  consentRoutes(app, deps);
  brandRoutes(app, deps);
  return app;
}
