import { GatewayReadiness } from '@packytrace/contracts';
import type { FastifyInstance } from 'fastify';
import { request as httpRequest } from 'undici';
import type { Upstream } from '../domain/route-table';
import type { UpstreamPool } from '../domain/upstream-pool';

/** 200 only when every service the gateway routes to answers its own /health/ready with 200. */
export function healthRoutes(app: FastifyInstance, upstreams: Record<Upstream, UpstreamPool>): void {
  app.get('/health/live', { logLevel: 'warn', schema: { hide: true } }, async () => ({ status: 'live' }));
  app.get(
    '/health/ready',
    {
      logLevel: 'warn',
      schema: {
        summary: 'Ready when the gateway and every service behind it are',
        response: { 200: GatewayReadiness, 503: GatewayReadiness },
      },
    },
    async (_request, reply) => {
      const results = await Promise.all(
        Object.entries(upstreams).map(
          // A service is up when one of its instances is.
          async ([name, pool]) => [name, (await anyReady(pool.origins)) ? 'ok' : 'down'] as const,
        ),
      );
      const checks = Object.fromEntries([['gateway', 'ok'], ...results]);
      const ready = results.every(([, state]) => state === 'ok');
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
    },
  );
}

async function anyReady(origins: readonly string[]): Promise<boolean> {
  const states = await Promise.all(origins.map(isReady));
  return states.includes(true);
}

async function isReady(base: string): Promise<boolean> {
  try {
    const response = await httpRequest(`${base}/health/ready`, {
      headersTimeout: 1_500,
      bodyTimeout: 1_500,
      signal: AbortSignal.timeout(1_500),
    });
    await response.body.dump();
    return response.statusCode === 200;
  } catch {
    return false;
  }
}
