import { readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import compress from '@fastify/compress';
import fastifyStatic from '@fastify/static';
import Fastify, { LogController, type FastifyInstance, type FastifyReply } from 'fastify';
import { runtimeConfigScript, type RuntimeConfig } from './runtime-config';

export interface WebServerOptions {
  /** The production build (`vite build` → apps/web/dist). */
  distDir: string;
  config: RuntimeConfig;
  logger?: boolean;
}

/**
 * Serves the built web app: hashed assets cached for a year, index.html and /config.js never cached,
 * and every other path answered with index.html so the app's router handles deep links (/fridge,
 * /brand/metrics). Answers are compressed (brotli or gzip, as the browser accepts): the scan page's
 * scripts are 870 KB raw, 240 KB gzipped, on a shopper's mobile connection. Builds the app; does not listen.
 */
export async function buildWebServer(options: WebServerOptions): Promise<FastifyInstance> {
  // Its own lines only (start, errors): a line per asset would drown them.
  const app = Fastify({
    logger: options.logger ?? false,
    logController: new LogController({ disableRequestLogging: true }),
  });
  const indexHtml = readFileSync(join(options.distDir, 'index.html'));
  const assetsDir = join(options.distDir, 'assets') + sep;
  const configScript = runtimeConfigScript(options.config);

  const policy = contentSecurityPolicy(options.config);
  app.addHook('onSend', async (_request, reply) => {
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('referrer-policy', 'strict-origin-when-cross-origin');
    // No other site frames the app (clickjacking); its own origin may, for oidc-client-ts's silent
    // sign-in iframe. The camera is the one device feature it uses.
    void reply.header('x-frame-options', 'SAMEORIGIN');
    void reply.header('content-security-policy', policy);
    void reply.header('permissions-policy', 'camera=(self), microphone=(), geolocation=()');
  });

  await app.register(compress, { encodings: ['br', 'gzip'] });
  await app.register(fastifyStatic, {
    root: options.distDir,
    index: false,
    wildcard: false,
    setHeaders: (reply, path) => {
      // Vite names every built asset by its content hash, so a changed file gets a new name.
      void reply.header(
        'cache-control',
        path.startsWith(assetsDir) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });

  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/config.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-store').send(configScript),
  );
  const sendIndex = (reply: FastifyReply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(indexHtml);
  app.get('/', async (_request, reply) => sendIndex(reply));
  app.setNotFoundHandler(async (request, reply) => {
    // A missing asset or file is a 404, not the app: a browser would otherwise run HTML as a script.
    const path = request.url.split('?')[0]!;
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply.code(404).send();
    if (path.startsWith('/assets/') || /\.[a-z0-9]+$/i.test(path)) return reply.code(404).send();
    return sendIndex(reply);
  });
  return app;
}

/**
 * What the app may load and talk to (https://www.w3.org/TR/CSP3/): its own scripts only (the build has
 * no inline script; /config.js is a file), the gateway and Keycloak for fetches, Keycloak in a frame
 * (oidc-client-ts's silent renew), blob: images (an uploaded barcode photo). Inline styles stay allowed:
 * React and the charts set style attributes.
 */
export function contentSecurityPolicy(config: RuntimeConfig): string {
  const api = new URL(config.apiUrl).origin;
  const keycloak = new URL(config.oidc.authority).origin;
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    `connect-src 'self' ${api} ${keycloak}`,
    `frame-src 'self' ${keycloak}`,
    "frame-ancestors 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    `form-action 'self' ${keycloak}`,
  ].join('; ');
}
