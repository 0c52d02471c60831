import {
  InternalClient,
  serveMetrics,
  ServiceMetrics,
  type Logger,
  type MetricsListener,
  type RunningService,
} from '@packytrace/service-kit';
import { buildApp } from './app';
import { createJwtVerifier } from './auth/jwt';
import { BrandDirectory } from './clients/identity-brands';
import { csv, type GatewayConfig } from './config';
import { followBrandChanges } from './events/brand-changes';

export interface RunningGateway extends RunningService {
  url: string;
  brands: BrandDirectory;
  /** The internal metrics listener; undefined when its port could not be bound. */
  metrics?: MetricsListener;
}

export function jwksUrlOf(config: GatewayConfig): string {
  return (
    config.PT_KEYCLOAK_JWKS_URL ??
    `${config.PT_KEYCLOAK_URL.replace(/\/+$/, '')}/realms/${config.PT_KEYCLOAK_REALM}/protocol/openid-connect/certs`
  );
}

/** Wires the gateway: JWT verification, the Brand directory and its cache invalidation, HTTP. No database. */
export async function startGateway(config: GatewayConfig, logger: Logger): Promise<RunningGateway> {
  const verifyToken = createJwtVerifier({
    jwksUrl: jwksUrlOf(config),
    issuer: config.PT_KEYCLOAK_ISSUER,
    audience: config.PT_JWT_AUDIENCE,
    allowedClients: csv(config.PT_JWT_AZP),
    cacheMax: config.PT_JWT_CACHE_MAX,
  });
  const identity = new InternalClient({
    service: 'identity',
    baseUrl: config.PT_IDENTITY_URL,
    internalSecret: config.PT_INTERNAL_SECRET,
  });
  const brands = new BrandDirectory(identity, config.PT_BRAND_CACHE_TTL_MS);
  const brandChanges = followBrandChanges({ brokers: config.PT_KAFKA_BROKERS, brands, logger });
  const metrics = new ServiceMetrics('gateway');
  const app = await buildApp({ config, logger, verifyToken, brands, metrics });
  const url = await app.listen({ host: config.PT_HTTP_HOST, port: config.PT_HTTP_PORT });
  metrics.collectProcessMetrics();
  const metricsListener = await serveMetrics(metrics, {
    host: config.PT_GATEWAY_METRICS_HOST,
    port: config.PT_GATEWAY_METRICS_PORT,
    logger,
  });
  return {
    url,
    brands,
    metrics: metricsListener,
    async close() {
      await app.close();
      await metricsListener?.close();
      await brandChanges.close();
      await identity.close();
    },
  };
}
