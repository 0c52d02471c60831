import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { repoRoot } from './paths';

export interface WebApp {
  url: string;
  stop(): Promise<void>;
}

/**
 * Serves the built app with its production server (apps/web/server/main.ts), which tells the browser
 * where the gateway and Keycloak are (`apiUrl`, else PT_GATEWAY_URL; PT_KEYCLOAK_ISSUER or
 * PT_KEYCLOAK_URL; else the local stack's). The stack test needs port 3000 (the only redirect URI Keycloak's packytrace-web client
 * accepts); the smoke test takes any free port.
 */
export async function serveWebApp({
  port,
  apiUrl,
}: { port?: number; apiUrl?: string } = {}): Promise<WebApp> {
  if (process.env.PT_WEB_URL) return { url: process.env.PT_WEB_URL.replace(/\/$/, ''), stop: async () => {} };
  const chosen = port ?? (await freePort());
  // The realm's issuer, as Keycloak names itself in tokens and discovery (oidc-client-ts checks it).
  const issuer =
    process.env.PT_KEYCLOAK_ISSUER ??
    `${(process.env.PT_KEYCLOAK_URL ?? 'http://localhost:8081').replace(/\/$/, '')}/realms/packytrace`;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'apps', 'web', 'server', 'main.ts')],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        PT_HTTP_HOST: '127.0.0.1',
        PT_WEB_PORT: String(chosen),
        PT_WEB_API_URL: apiUrl ?? process.env.PT_GATEWAY_URL ?? 'http://localhost:8080',
        PT_WEB_OIDC_AUTHORITY: issuer,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  // 127.0.0.1 rather than localhost: the app's OIDC redirect is built from window.location.origin,
  // and Keycloak's client accepts http://localhost:3000 only, so the stack test uses localhost in the URL.
  const url = `http://localhost:${chosen}`;
  await waitUntilServing(`http://127.0.0.1:${chosen}/health/live`, child, () => output);
  return { url, stop: () => stopChild(child) };
}

async function waitUntilServing(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the web server exited (${child.exitCode}): ${output()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGTERM');
  throw new Error(`the web server did not serve ${url} within 30 s: ${output()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
