import { createServiceApp, type Logger, type Pool, type ReadinessCheck, type ServiceApp } from '@packytrace/service-kit';

export interface MeasurementDeps {
  logger: Logger;
  internalSecret: string;
  pool: Pool;
  readiness: ReadinessCheck[];
}

/** Builds the measurement service's HTTP app from its dependencies; does not listen. */
export function buildApp(deps: MeasurementDeps): ServiceApp {
  const app = createServiceApp({
    name: 'measurement',
    logger: deps.logger,
    internalSecret: deps.internalSecret,
    readiness: deps.readiness,
  });
  return app;
}
