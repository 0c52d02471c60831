import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { Admin } from '@platformatic/kafka';
import { infraDir, localDir } from './paths.js';
import { launch, run, waitUntil, type ManagedProcess } from './processes.js';
import type { TopicSpec } from '../kafka/topics.js';

export interface KafkaPorts {
  readonly port: number;
  readonly controllerPort: number;
}

/**
 * A single KRaft node (broker + controller in one JVM), run from the Maven-fetched jars.
 * Storage is formatted once (`kafka-storage format --standalone`); the cluster id is kept with it.
 */
export async function startKafka(libs: string, ports: KafkaPorts): Promise<ManagedProcess> {
  const home = join(localDir, 'kafka');
  const dataDir = join(home, 'data');
  const configFile = writeServerProperties(home, dataDir, ports);
  const classpath = `${libs}/*`;
  const jvm = [
    '-Xms128m',
    '-Xmx512m',
    '-XX:+UseG1GC',
    `-Dlog4j2.configurationFile=${join(infraDir, 'kafka', 'log4j2.xml')}`,
  ];
  if (!existsSync(join(dataDir, 'meta.properties'))) {
    mkdirSync(dataDir, { recursive: true });
    await run('java', [
      ...jvm,
      '-cp',
      classpath,
      'kafka.tools.StorageTool',
      'format',
      '--standalone',
      // One argument: a base64url id may start with '-', which a separate argument would turn into an option.
      `--cluster-id=${clusterId(home)}`,
      '-c',
      configFile,
    ]);
  }
  const server = launch({
    part: 'kafka',
    command: 'java',
    args: [...jvm, '-cp', classpath, 'kafka.Kafka', configFile],
  });
  await waitUntil(() => portOpen(ports.port), { timeoutMs: 60_000, process: server });
  return server;
}

function writeServerProperties(home: string, dataDir: string, ports: KafkaPorts): string {
  const template = readFileSync(join(infraDir, 'kafka', 'server.properties'), 'utf8');
  const values: Record<string, string> = {
    PORT: String(ports.port),
    CONTROLLER_PORT: String(ports.controllerPort),
    DATA_DIR: dataDir,
  };
  const config = template.replace(/\$\{(\w+)\}/g, (_, key: string) => values[key] ?? `\${${key}}`);
  const file = join(home, 'server.properties');
  mkdirSync(home, { recursive: true });
  writeFileSync(file, config);
  return file;
}

/** Kafka cluster ids are 16 random bytes in URL-safe base64 without padding. */
function clusterId(home: string): string {
  const file = join(home, 'cluster-id');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const id = Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url');
  writeFileSync(file, id);
  return id;
}

export function portOpen(port: number, host = 'localhost'): Promise<boolean> {
  return new Promise((resolvePort) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolvePort(true);
    });
    socket.once('error', () => resolvePort(false));
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolvePort(false);
    });
  });
}

/**
 * The topic list: from @packytrace/contracts (`allTopics()` or a `topics` array) when it has one,
 * else infra/kafka/topics.ts.
 */
export async function topicList(): Promise<readonly TopicSpec[]> {
  try {
    const contracts = (await import('@packytrace/contracts')) as { allTopics?: unknown; topics?: unknown };
    const listed: unknown =
      typeof contracts.allTopics === 'function' ? contracts.allTopics() : contracts.topics;
    if (Array.isArray(listed) && listed.length > 0) {
      const specs = listed.map(toTopicSpec);
      if (specs.every((spec) => spec !== undefined)) return specs as TopicSpec[];
    }
  } catch {
    // contracts not importable yet
  }
  return (await import('../kafka/topics.js')).topics;
}

function toTopicSpec(value: unknown): TopicSpec | undefined {
  const entry = value as { name?: unknown; topic?: unknown; partitions?: unknown } | null;
  const name = entry?.name ?? entry?.topic;
  if (typeof name !== 'string' || typeof entry?.partitions !== 'number') return undefined;
  return { name, partitions: entry.partitions };
}

/** Creates missing topics with their partition counts; existing ones are left alone. */
export async function createTopics(brokers: string, topics: readonly TopicSpec[]): Promise<string[]> {
  const admin = new Admin({
    clientId: 'packytrace-launcher',
    bootstrapBrokers: [brokers],
    retries: 10,
    retryDelay: 500,
  });
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic.name));
    for (const topic of missing) {
      await admin.createTopics({ topics: [topic.name], partitions: topic.partitions, replicas: 1 });
    }
    return missing.map((topic) => topic.name);
  } finally {
    await admin.close();
  }
}
