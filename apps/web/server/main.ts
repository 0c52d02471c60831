/**
 * The web app's production server (docker-compose.yml, Kubernetes, `npm start`): the build in
 * apps/web/dist with /config.js from the environment (runtime-config.ts).
 *   PT_WEB_API_URL=https://api.example.org PT_WEB_OIDC_AUTHORITY=https://id.example.org/realms/packytrace \
 *   PT_HTTP_HOST=0.0.0.0 PT_WEB_PORT=3000 tsx apps/web/server/main.ts
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWebServer } from './app';
import { runtimeConfigFrom } from './runtime-config';

const distDir = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'dist');
const app = await buildWebServer({ distDir, config: runtimeConfigFrom(process.env), logger: true });
await app.listen({
  host: process.env.PT_HTTP_HOST ?? 'localhost',
  port: Number(process.env.PT_WEB_PORT ?? 3000),
});
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void app.close().then(() => process.exit(0)));
