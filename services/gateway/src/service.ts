import { InternalClient, type Logger, type RunningService } from '@packytrace/service-kit';
import { buildApp } from './app';
import { createJwtVerifier } from './auth/jwt';
import { BrandDirectory } from './clients/identity-brands';
import { csv, type GatewayConfig } from './config';
import { followBrandChanges } from './events/brand-changes';

export interface RunningGateway extends RunningService {
  url: string;
  brands: BrandDirectory;
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
  const app = await buildApp({ config, logger, verifyToken, brands });
  const url = await app.listen({ host: config.PT_HTTP_HOST, port: config.PT_HTTP_PORT });
  return {
    url,
    brands,
    async close() {
      await app.close();
      await brandChanges.close();
      await identity.close();
    },
  };
}
