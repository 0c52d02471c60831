/** Ports of the local stack (docs/development.md, "Ports and environment"). */
function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name}=${raw} is not a port`);
  return port;
}

export interface StackPorts {
  readonly gateway: number;
  readonly web: number;
  readonly keycloak: number;
  readonly keycloakManagement: number;
  readonly kafka: number;
  readonly kafkaController: number;
  readonly postgres: number;
  readonly services: Readonly<Record<ServiceName, number>>;
}

export const serviceNames = [
  'identity',
  'passport',
  'personalization',
  'fridge',
  'measurement',
  'brand-analytics',
] as const;
export type ServiceName = (typeof serviceNames)[number];

export function stackPorts(): StackPorts {
  return {
    gateway: portFromEnv('PT_GATEWAY_PORT', 8080),
    web: portFromEnv('PT_WEB_PORT', 3000),
    keycloak: portFromEnv('PT_KEYCLOAK_PORT', 8081),
    keycloakManagement: portFromEnv('PT_KEYCLOAK_MANAGEMENT_PORT', 9001),
    kafka: portFromEnv('PT_KAFKA_PORT', 9092),
    kafkaController: portFromEnv('PT_KAFKA_CONTROLLER_PORT', 9093),
    postgres: portFromEnv('PT_POSTGRES_PORT', 5433),
    services: {
      identity: portFromEnv('PT_IDENTITY_PORT', 8101),
      passport: portFromEnv('PT_PASSPORT_PORT', 8102),
      personalization: portFromEnv('PT_PERSONALIZATION_PORT', 8103),
      fridge: portFromEnv('PT_FRIDGE_PORT', 8104),
      measurement: portFromEnv('PT_MEASUREMENT_PORT', 8105),
      'brand-analytics': portFromEnv('PT_BRAND_ANALYTICS_PORT', 8106),
    },
  };
}
