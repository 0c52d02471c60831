import { ConfigError } from './config';
import { createLogger, type Logger } from './logger';
import { startTracing, type Tracing } from './tracing';

export interface RunningService {
  close(): Promise<void>;
}

/**
 * The whole of a service's main.ts: start it, stop it gracefully on SIGTERM/SIGINT, and exit at once
 * with a message that names the setting when its configuration is wrong.
 */
export async function runService(
  name: string,
  start: (logger: Logger) => Promise<RunningService>,
): Promise<void> {
  const logger = createLogger(name, process.env.PT_LOG_LEVEL ?? 'info');
  let service: RunningService;
  let tracing: Tracing | undefined;
  try {
    // Before the service builds its apps: off unless the OTEL_* variables configure an exporter.
    tracing = startTracing({ serviceName: `packytrace-${name}` });
    if (tracing) logger.info('tracing on: spans exported over OTLP');
    service = await start(logger);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${name}: cannot start: ${error.problems.join('; ')}\n`);
    } else {
      logger.fatal({ err: error }, 'failed to start');
    }
    process.exit(1);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    try {
      await service.close();
      await tracing?.shutdown().catch(() => undefined);
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
