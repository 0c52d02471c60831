import {
  createServiceApp,
  type Logger,
  type Pool,
  type ReadinessCheck,
  type ServiceApp,
} from '@packytrace/service-kit';
import type { PersonalizationClient } from './clients/personalization';
import type { BrandRepository } from './db/brands';
import type { ProductRepository } from './db/products';
import type { ScanRepository } from './db/scans';
import { brandProductRoutes } from './routes/brand-products';
import { internalScanRoutes } from './routes/internal-scans';
import { productRoutes } from './routes/products';
import { scanRoutes } from './routes/scans';

export interface PassportDeps {
  logger: Logger;
  internalSecret: string;
  pool: Pool;
  readiness: ReadinessCheck[];
  products: ProductRepository;
  brands: BrandRepository;
  scans: ScanRepository;
  personalization: PersonalizationClient;
}

/** Builds the passport service's HTTP app from its dependencies; does not listen. */
export function buildApp(deps: PassportDeps): ServiceApp {
  const app = createServiceApp({
    name: 'passport',
    logger: deps.logger,
    internalSecret: deps.internalSecret,
    readiness: deps.readiness,
  });
  void app.register(productRoutes(deps.products));
  void app.register(scanRoutes(deps));
  void app.register(brandProductRoutes(deps));
  void app.register(internalScanRoutes(deps.scans));
  return app;
}
