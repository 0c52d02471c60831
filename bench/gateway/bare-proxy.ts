/**
 * The floor under the gateway: Fastify and @fastify/reply-from (the components issue 3 names) with the
 * gateway's undici settings and nothing else (no tokens, cookies, limits, logs or metrics), in its own
 * process. What the gateway costs above this row is its features; what this row costs is the hop itself.
 *   PT_HTTP_PORT=… PT_UPSTREAM_URL=http://127.0.0.1:… tsx bench/gateway/bare-proxy.ts
 */
import replyFrom from '@fastify/reply-from';
import Fastify from 'fastify';

const upstream = process.env.PT_UPSTREAM_URL!;
const app = Fastify({ logger: false });
await app.register(replyFrom, {
  undici: { connections: 128, pipelining: 1, keepAliveTimeout: 10_000 },
  disableRequestLogging: true,
});
app.get('/health/live', async () => ({ status: 'ok' }));
app.get('/api/*', (request, reply) => reply.from(`${upstream}${request.url}`));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PT_HTTP_PORT ?? 0) });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
