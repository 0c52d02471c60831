import {
  createServiceApp,
  type Logger,
  type Pool,
  type ReadinessCheck,
  type ServiceApp,
} from '@packytrace/service-kit';
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
  // Registered as a plugin so it loads after the kit's swagger plugin, whose onRoute hook then
  // records these routes in GET /openapi.json (routes added synchronously would be missed).
  void app.register(async (routes) => {
    const scoped = routes as ServiceApp;
    accountRoutes(scoped, deps);
    consentRoutes(scoped, deps);
    brandRoutes(scoped, deps);
  });
  return app;
}
