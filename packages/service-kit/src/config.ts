import Type, { type Static, type TObject, type TProperties } from 'typebox';
import { Value } from 'typebox/value';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Settings every service has. Services extend this with their own. */
export const CommonEnv = {
  PT_HTTP_HOST: Type.String({ default: '127.0.0.1' }),
  PT_HTTP_PORT: Type.Integer({ minimum: 0, maximum: 65535 }),
  PT_LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    default: 'info',
  }),
  /** Shared secret that proves a request came from the gateway or a sibling service. */
  PT_INTERNAL_SECRET: Type.String({ minLength: 16 }),
};

export const KafkaEnv = { PT_KAFKA_BROKERS: Type.String({ default: 'localhost:9092' }) };
export const DatabaseEnv = { PT_DB_URL: Type.String({ pattern: '^postgres(ql)?://' }) };

export function envSchema<P extends TProperties>(properties: P): TObject<P> {
  return Type.Object(properties);
}

/**
 * Reads settings from the environment and checks them at start, so a service with a missing or bad
 * setting exits at once naming it instead of failing on first use.
 */
export function loadEnv<S extends TObject>(schema: S, env: NodeJS.ProcessEnv = process.env): Static<S> {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const withDefaults = Value.Default(schema, raw) as Record<string, unknown>;
  const converted = Value.Convert(schema, withDefaults);
  if (Value.Check(schema, converted)) return converted as Static<S>;
  const problems: string[] = [];
  for (const key of Object.keys(schema.properties)) {
    if (converted === null || typeof converted !== 'object' || !(key in (converted as object))) {
      problems.push(`${key} is required`);
    }
  }
  for (const error of Value.Errors(schema, converted)) {
    const key = error.instancePath.replace(/^\//, '');
    if (key) problems.push(`${key} ${error.message}`);
  }
  throw new ConfigError([...new Set(problems)]);
}

export function brokerList(brokers: string): string[] {
  return brokers
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}
