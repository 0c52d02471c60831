import { quietLogger, TEST_INTERNAL_SECRET, testEnv } from '@packytrace/testing';
import { loadConfig, type GatewayConfig } from '../src/config';
import { startGateway, type RunningGateway } from '../src/service';

export const VISITOR_SECRET = 'test-visitor-cookie-secret-0123456789';

/** The gateway's settings for a test: any free ports, the test secrets and servers, then `overrides`. */
export function gatewayTestConfig(overrides: Partial<GatewayConfig>): GatewayConfig {
  const env = testEnv();
  return {
    ...loadConfig({
      PT_HTTP_PORT: '0',
      PT_GATEWAY_METRICS_PORT: '0', // any free port: tests never hold the fixed metrics port
      PT_INTERNAL_SECRET: TEST_INTERNAL_SECRET,
      PT_VISITOR_COOKIE_SECRET: VISITOR_SECRET,
      PT_KAFKA_BROKERS: env.kafkaBrokers.join(','),
      PT_KEYCLOAK_URL: env.keycloakUrl,
      PT_KEYCLOAK_ISSUER: env.issuer,
    }),
    ...overrides,
  };
}

export function startTestGateway(overrides: Partial<GatewayConfig>): Promise<RunningGateway> {
  return startGateway(gatewayTestConfig(overrides), quietLogger('gateway'));
}
