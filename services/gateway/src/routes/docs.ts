import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { request as httpRequest } from 'undici';
import type { Upstream } from '../domain/route-table';
import type { UpstreamPool } from '../domain/upstream-pool';

type OpenApi = { paths?: Record<string, unknown>; components?: { schemas?: Record<string, unknown> } };

/**
 * GET /api/docs/openapi.json: the public routes of every service, merged from each one's
 * GET /openapi.json (a service that is down is left out), and a Swagger UI page at /api/docs.
 */
export async function docsRoutes(
  app: FastifyInstance,
  upstreams: Record<Upstream, UpstreamPool>,
): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'PackyTrace API',
        version: '1.0.0',
        description: 'The public API behind the gateway (docs/API.md).',
      },
    },
  });
  const merged = () => mergedDocument(app.swagger() as OpenApi, upstreams);
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    uiHooks: {
      // The page loads ./json; serve it the merged document, not only the gateway's own routes.
      preHandler: async (request, reply) => {
        if (request.url.split('?')[0]!.endsWith('/json')) return reply.send(await merged());
      },
    },
  });
  app.get(
    '/api/docs/openapi.json',
    { schema: { summary: 'The OpenAPI document of the public API' } },
    async () => merged(),
  );
}

async function mergedDocument(own: OpenApi, upstreams: Record<Upstream, UpstreamPool>): Promise<OpenApi> {
  const documents = await Promise.all(Object.values(upstreams).map((pool) => fetchDocument(pool.pick())));
  const paths: Record<string, unknown> = { ...own.paths };
  const schemas: Record<string, unknown> = { ...own.components?.schemas };
  for (const doc of documents) {
    if (!doc) continue;
    for (const [path, item] of Object.entries(doc.paths ?? {}))
      if (path.startsWith('/api/v1/')) paths[path] = item;
    Object.assign(schemas, doc.components?.schemas);
  }
  return { ...structuredClone(own), paths, components: { ...own.components, schemas } };
}

async function fetchDocument(base: string): Promise<OpenApi | undefined> {
  try {
    const response = await httpRequest(`${base}/openapi.json`, {
      headersTimeout: 2_000,
      bodyTimeout: 2_000,
      signal: AbortSignal.timeout(2_000),
    });
    if (response.statusCode !== 200) {
      await response.body.dump();
      return undefined;
    }
    return (await response.body.json()) as OpenApi;
  } catch {
    return undefined;
  }
}
