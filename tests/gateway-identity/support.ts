import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// The gateway's own test helpers, shared with these cross-service tests.
export { gatewayTestConfig, startTestGateway, VISITOR_SECRET } from '../../services/gateway/test/support';

/** A tiny upstream that answers with the method, URL, headers and body it received. */
export async function startEchoUpstream(delayMs = 0): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = () => {
        if (res.destroyed) return;
        if (req.url === '/health/ready') {
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ready"}');
          return;
        }
        if (req.url === '/openapi.json') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              openapi: '3.0.3',
              paths: { '/api/v1/echo-doc': { get: {} }, '/internal/secret': { get: {} } },
            }),
          );
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            method: req.method,
            url: req.url,
            headers: req.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      };
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => closeServer(server),
  };
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A port nothing listens on (a service that is down). */
export const CLOSED_URL = 'http://127.0.0.1:1';
