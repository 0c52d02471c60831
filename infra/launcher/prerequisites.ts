import { createServer } from 'node:net';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { run } from './processes.js';

/** A prerequisite that is not met; the message names the program or the port and its part. */
export class PrerequisiteMissing extends Error {}

export function findOnPath(program: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Keycloak 26 and Kafka 4 need Java 17 or newer. */
export async function requireJava(): Promise<void> {
  if (!findOnPath('java')) {
    throw new PrerequisiteMissing('java is not installed (Kafka and Keycloak need Java 17 or newer on PATH)');
  }
  const output = await run('java', ['-version']);
  const major = Number(/version "(\d+)/.exec(output)?.[1] ?? '0');
  if (major < 17)
    throw new PrerequisiteMissing(`java ${major} found, Kafka 4 and Keycloak 26 need Java 17 or newer`);
}

export function requireProgram(program: string, why: string): void {
  if (!findOnPath(program)) throw new PrerequisiteMissing(`${program} is not installed (${why})`);
}

export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.once('error', () => resolvePort(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolvePort(true)));
  });
}

/** Fails on the first taken port, naming the part that needs it. */
export async function requireFreePorts(wanted: ReadonlyArray<{ port: number; part: string }>): Promise<void> {
  const checks = await Promise.all(
    wanted.map(async (entry) => ({ ...entry, free: await isPortFree(entry.port) })),
  );
  const taken = checks.find((entry) => !entry.free);
  if (taken) {
    throw new PrerequisiteMissing(
      `port ${taken.port} (${taken.part}) is already in use; stop what listens there (a launcher still running? see .local/infra.json) or set its PT_*_PORT`,
    );
  }
}
