import {
  createServiceApp,
  type Logger,
  type Pool,
  type ReadinessCheck,
  type ServiceApp,
} from '@packytrace/service-kit';
import type { PassportClient } from './clients/passport';
import type { IdempotencyStore } from './db/idempotency';
import type { Fridge } from './fridge';
import { fridgeRoutes } from './routes/fridge';
import { historyRoutes } from './routes/history';

export interface FridgeDeps {
  logger: Logger;
  internalSecret: string;
  pool: Pool;
  readiness: ReadinessCheck[];
  fridge: Fridge;
  passport: PassportClient;
  idempotency: IdempotencyStore;
}

/** Builds the fridge service's HTTP app from its dependencies; does not listen. */
export function buildApp(deps: FridgeDeps): ServiceApp {
  const app = createServiceApp({
    name: 'fridge',
    logger: deps.logger,
    internalSecret: deps.internalSecret,
    readiness: deps.readiness,
  });
  void app.register(fridgeRoutes(deps));
  void app.register(historyRoutes(deps));
  return app;
}
