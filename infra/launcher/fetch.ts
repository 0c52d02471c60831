import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { KAFKA_VERSION, KEYCLOAK_VERSION, cacheDir, infraDir } from './paths.js';
import { run } from './processes.js';
import { report } from './progress.js';

/**
 * Kafka and Keycloak come from Maven Central through `mvn` (so ~/.m2 caches them too) and are
 * unpacked once into the cache. A finished download is moved into place in one rename, so an
 * interrupted fetch never leaves a half-filled directory behind.
 */
// Pinned: the bare `dependency:` prefix takes whatever plugin version Maven finds newest that day.
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.11.0';

export async function ensureKafka(): Promise<string> {
  const home = join(cacheDir(), `kafka-${KAFKA_VERSION}`);
  const libs = join(home, 'libs');
  if (existsSync(libs)) return libs;
  report('kafka', `fetching Kafka ${KAFKA_VERSION} jars (mvn) into ${home}`);
  const staging = `${home}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  await run('mvn', [
    '-q',
    '-B',
    '-f',
    join(infraDir, 'kafka', 'pom.xml'),
    `${DEPENDENCY_PLUGIN}:copy-dependencies`,
    `-DoutputDirectory=${join(staging, 'libs')}`,
  ]);
  moveIntoPlace(staging, home);
  return libs;
}

export async function ensureKeycloak(): Promise<string> {
  const home = join(cacheDir(), `keycloak-${KEYCLOAK_VERSION}`);
  if (existsSync(join(home, 'lib', 'quarkus-run.jar'))) return home;
  report('keycloak', `fetching Keycloak ${KEYCLOAK_VERSION} (mvn, ~177 MB) into ${home}`);
  const staging = `${home}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  await run(
    'mvn',
    [
      '-q',
      '-B',
      `${DEPENDENCY_PLUGIN}:copy`,
      `-Dartifact=org.keycloak:keycloak-quarkus-dist:${KEYCLOAK_VERSION}:zip`,
      `-DoutputDirectory=${staging}`,
    ],
    { cwd: staging },
  );
  const zip = join(staging, `keycloak-quarkus-dist-${KEYCLOAK_VERSION}.zip`);
  await unzip(zip, staging);
  rmSync(zip);
  const unpacked = readdirSync(staging).find((entry) => entry.startsWith('keycloak-'));
  if (!unpacked) throw new Error(`Keycloak zip had no keycloak-* folder (${staging})`);
  moveIntoPlace(join(staging, unpacked), home);
  rmSync(staging, { recursive: true, force: true });
  return home;
}

/** `unzip` when present, else the JDK's `jar` tool (always there when java is). */
async function unzip(zip: string, into: string): Promise<void> {
  try {
    await run('unzip', ['-q', zip, '-d', into]);
  } catch {
    await run('jar', ['xf', zip], { cwd: into });
  }
}

function moveIntoPlace(staging: string, target: string): void {
  if (existsSync(target)) {
    // another launcher finished first
    rmSync(staging, { recursive: true, force: true });
    return;
  }
  mkdirSync(join(target, '..'), { recursive: true });
  renameSync(staging, target);
}
