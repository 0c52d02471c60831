import { createServiceApp, type Logger, type Pool, type ReadinessCheck, type ServiceApp } from '@packytrace/service-kit';

export interface BrandAnalyticsDeps {
  logger: Logger;
  internalSecret: string;
  pool: Pool;
  readiness: ReadinessCheck[];
}

/** Builds the brand-analytics service's HTTP app from its dependencies; does not listen. */
export function buildApp(deps: BrandAnalyticsDeps): ServiceApp {
  const app = createServiceApp({
    name: 'brand-analytics',
    logger: deps.logger,
    internalSecret: deps.internalSecret,
    readiness: deps.readiness,
  });
  return app;
}
