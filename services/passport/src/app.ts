import { createServiceApp, type Logger, type Pool, type ReadinessCheck, type ServiceApp } from '@packytrace/service-kit';

export interface PassportDeps {
  logger: Logger;
  internalSecret: string;
  pool: Pool;
  readiness: ReadinessCheck[];
}

/** Builds the passport service's HTTP app from its dependencies; does not listen. */
export function buildApp(deps: PassportDeps): ServiceApp {
  const app = createServiceApp({
    name: 'passport',
    logger: deps.logger,
    internalSecret: deps.internalSecret,
    readiness: deps.readiness,
  });
  return app;
}
