import { createServiceApp, type Logger, type Pool, type ReadinessCheck, type ServiceApp } from '@packytrace/service-kit';

export interface FridgeDeps {
  logger: Logger;
  internalSecret: string;
  pool: Pool;
  readiness: ReadinessCheck[];
}

/** Builds the fridge service's HTTP app from its dependencies; does not listen. */
export function buildApp(deps: FridgeDeps): ServiceApp {
  const app = createServiceApp({
    name: 'fridge',
    logger: deps.logger,
    internalSecret: deps.internalSecret,
    readiness: deps.readiness,
  });
  return app;
}
