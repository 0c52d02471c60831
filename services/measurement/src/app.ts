import {
  createServiceApp,
  type Logger,
  type Pool,
  type ReadinessCheck,
  type ServiceApp,
} from '@packytrace/service-kit';
import type { MeasurementRepository } from './db/measurement-repository';
import { pipelineStatusRoutes } from './routes/pipeline-status';

export interface MeasurementDeps {
  logger: Logger;
  internalSecret: string;
  pool: Pool;
  repository: MeasurementRepository;
  /** Whether this instance applies events now or stands by for the one that does. */
  role: () => 'active' | 'standby';
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
  void app.register(pipelineStatusRoutes(deps.repository, deps.role));
  return app;
}
