/** Progress lines: `[  12.3s] keycloak   ready on http://localhost:8081`. */
const startedAt = Date.now();

export function elapsedSeconds(since = startedAt): string {
  return ((Date.now() - since) / 1000).toFixed(1);
}

export function report(part: string, message: string): void {
  const stamp = `[${elapsedSeconds().padStart(6)}s]`;
  process.stdout.write(`${stamp} ${part.padEnd(16)} ${message}\n`);
}

export class StartupError extends Error {
  constructor(
    readonly part: string,
    message: string,
  ) {
    super(`${part}: ${message}`);
  }
}
