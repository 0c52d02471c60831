/**
 * The benchmark's upstream, in its own process: a minimal PackyTrace service built with the service kit
 * (request ids, problem+json, the internal-token check on identity headers), answering a small product
 * list the way Passport's `GET /api/v1/products` would, without a database so only HTTP is measured.
 *   PT_HTTP_PORT=… PT_INTERNAL_SECRET=… [PT_LOG_LEVEL=warn] tsx bench/gateway/upstream.ts
 */
import { createLogger, createServiceApp } from '@packytrace/service-kit';

const products = {
  items: [
    {
      gtin: '05701234000019',
      name: 'Skyr natural 450 g',
      brand: { id: '8a1f2c3d-0000-4000-8000-000000000001', name: 'Nordhavn Foods' },
    },
    {
      gtin: '04012345000011',
      name: 'Bergkäse 200 g',
      brand: { id: '8a1f2c3d-0000-4000-8000-000000000002', name: 'Alpenmilch' },
    },
  ],
  nextCursor: null,
};

const app = createServiceApp({
  name: 'bench-upstream',
  logger: createLogger('bench-upstream', process.env.PT_LOG_LEVEL ?? 'warn'),
  internalSecret: process.env.PT_INTERNAL_SECRET ?? 'bench-internal-secret-0123456789',
});
app.get('/api/v1/products', async (request) => ({
  ...products,
  signedIn: request.identity.accountId !== undefined,
}));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PT_HTTP_PORT ?? 0) });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
