import {
  createServiceApp,
  type Logger,
  type Pool,
  type ReadinessCheck,
  type ServiceApp,
} from '@packytrace/service-kit';
import { MetricsRepository } from './db/metrics-repository';
import { brandMetricsRoutes } from './routes/brand-metrics';

export interface BrandAnalyticsDeps {
  logger: Logger;
  internalSecret: string;
  pool: Pool;
  readiness: ReadinessCheck[];
  /** Shown when no batch is stored yet for the range (the pipeline's k). */
  minGroupSize: number;
}

/** Builds the brand-analytics service's HTTP app from its dependencies; does not listen. */
export function buildApp(deps: BrandAnalyticsDeps): ServiceApp {
  const app = createServiceApp({
    name: 'brand-analytics',
    logger: deps.logger,
    internalSecret: deps.internalSecret,
    readiness: deps.readiness,
  });
  void app.register(brandMetricsRoutes(new MetricsRepository(deps.pool), deps.minGroupSize));
  return app;
}
