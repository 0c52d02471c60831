import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { allTopics } from '@packytrace/contracts';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import Type, { type TObject } from 'typebox';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { serviceNames, stackPorts } from '../../infra/launcher/ports';
import { runtimeConfigFrom } from '../../apps/web/server/runtime-config';
import { serviceRoles } from '../../infra/postgres/provision';
import { kustomizeBuild, podSpecOf, readManifests, type Container, type Manifest } from './kustomize';

/**
 * deploy/kubernetes: every document is valid against the Kubernetes OpenAPI schemas (kubernetes-models),
 * and the manifests give every service what its config.ts requires (docs/deployment.md).
 */
const root = join(import.meta.dirname, '..', '..');
const kubernetesDir = join(root, 'deploy', 'kubernetes');
const builds = {
  base: kustomizeBuild(join(kubernetesDir, 'base')),
  production: kustomizeBuild(join(kubernetesDir, 'overlays', 'production')),
};
const strimziTopics = kustomizeBuild(join(kubernetesDir, 'strimzi'));
const deploymentDoc = readFileSync(join(root, 'docs', 'deployment.md'), 'utf8');

/** Kubernetes OpenAPI schemas, by apiVersion and kind. */
const models: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

/** Problems of one document against its schema; a kind without a schema is a problem too. */
export function schemaProblems(manifest: Manifest): string[] {
  const Model = models[`${manifest.apiVersion}/${manifest.kind}`];
  if (!Model) return [`no schema for ${manifest.apiVersion} ${manifest.kind}`];
  try {
    new Model(manifest as never).validate();
    return [];
  } catch (error) {
    return [(error as Error).message];
  }
}

/** The Strimzi KafkaTopic fields we use (the kubernetes-models family has no Strimzi package). */
const KafkaTopic = Type.Object({
  apiVersion: Type.Literal('kafka.strimzi.io/v1beta2'),
  kind: Type.Literal('KafkaTopic'),
  metadata: Type.Object({
    name: Type.String({ pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', maxLength: 253 }),
    namespace: Type.Optional(Type.String()),
    labels: Type.Object({ 'strimzi.io/cluster': Type.String({ minLength: 1 }) }),
  }),
  spec: Type.Object(
    {
      topicName: Type.String({ minLength: 1 }),
      partitions: Type.Integer({ minimum: 1 }),
      replicas: Type.Integer({ minimum: 1, maximum: 32767 }),
      config: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]))),
    },
    { additionalProperties: false },
  ),
});

const statelessServices = ['gateway', 'identity', 'passport', 'personalization', 'fridge', 'brand-analytics'];
/** Settings that are secrets by name: they must come from a Secret, never from a ConfigMap or a literal. */
const secretSetting = /(SECRET|KEY|PASSWORD)$|_DB_URL$/;
/** Stand-ins for the platform's Secret values, valid for the services' schemas. */
const secretStandIns: Record<string, string> = {
  PT_INTERNAL_SECRET: 'k8s-test-internal-secret-0123456789',
  PT_DB_URL: 'postgres://role:password@postgres.example:5432/packytrace',
  PT_VISITOR_COOKIE_SECRET: 'k8s-test-visitor-cookie-secret-0123',
  PT_HEALTH_PROFILE_KEY: Buffer.alloc(32, 7).toString('base64'),
  PT_MEASUREMENT_HASH_KEY: 'k8s-test-measurement-hash-key-0123456789',
  PT_IDENTITY_CLIENT_SECRET: 'k8s-test-identity-client-secret',
};

const serviceFolders = readdirSync(join(root, 'services')).filter((name) =>
  existsSync(join(root, 'services', name, 'src', 'config.ts')),
);

interface ServiceConfigModule {
  schema: TObject;
  loadConfig: (env: NodeJS.ProcessEnv) => Record<string, unknown>;
}

/** services/<name>/src/config.ts: its TypeBox env schema (the `*Env` export) and loadConfig. */
async function serviceConfig(folder: string): Promise<ServiceConfigModule> {
  const module = (await import(join(root, 'services', folder, 'src', 'config.ts'))) as Record<
    string,
    unknown
  >;
  const schema = Object.entries(module).find(
    ([name, value]) =>
      name.endsWith('Env') && typeof value === 'object' && value !== null && 'properties' in value,
  )?.[1] as TObject | undefined;
  if (!schema || typeof module.loadConfig !== 'function')
    throw new Error(`${folder}: no *Env schema or loadConfig`);
  return { schema, loadConfig: module.loadConfig as ServiceConfigModule['loadConfig'] };
}

/** Settings a service cannot start without: required in the schema and without a default. */
export function requiredSettings(schema: TObject): string[] {
  return (schema.required ?? []).filter((key) => !('default' in (schema.properties[key] as object)));
}

const byKind = (manifests: Manifest[], kind: string) => manifests.filter((m) => m.kind === kind);
const named = (manifests: Manifest[], kind: string, name: string) =>
  manifests.find((m) => m.kind === kind && m.metadata.name === name);
const containerOf = (deployment: Manifest): Container => podSpecOf(deployment)!.containers[0]!;
const serviceEnvValue = (container: Container) => container.env?.find((e) => e.name === 'SERVICE')?.value;

/** The service a Deployment runs (the image picks it from SERVICE, as in docker-compose.yml). */
function deploymentOfService(manifests: Manifest[], folder: string): Manifest | undefined {
  return byKind(manifests, 'Deployment').find((d) => serviceEnvValue(containerOf(d)) === folder);
}

/**
 * The environment a container gets, with each secretKeyRef replaced by a stand-in; the names it
 * could not resolve are returned as problems (a ConfigMap that is not in the build, a secret without
 * a stand-in).
 */
export function containerEnvironment(
  manifests: Manifest[],
  container: Container,
): { env: Record<string, string>; fromSecret: Set<string>; fromConfigMap: Set<string>; problems: string[] } {
  const env: Record<string, string> = {};
  const fromSecret = new Set<string>();
  const fromConfigMap = new Set<string>();
  const problems: string[] = [];
  const configMapData = (name: string) => {
    const configMap = named(manifests, 'ConfigMap', name);
    if (!configMap) problems.push(`ConfigMap ${name} is not in the build`);
    return (configMap?.data ?? {}) as Record<string, string>;
  };
  for (const from of container.envFrom ?? []) {
    if (from.secretRef)
      problems.push(`envFrom secretRef ${from.secretRef.name}: name each secret key instead`);
    if (!from.configMapRef) continue;
    for (const [key, value] of Object.entries(configMapData(from.configMapRef.name))) {
      env[key] = value;
      fromConfigMap.add(key);
    }
  }
  for (const variable of container.env ?? []) {
    fromConfigMap.delete(variable.name);
    const { secretKeyRef, configMapKeyRef } = variable.valueFrom ?? {};
    if (secretKeyRef) {
      fromSecret.add(variable.name);
      const standIn = secretStandIns[variable.name];
      if (standIn === undefined) problems.push(`${variable.name}: no stand-in value in this test`);
      else env[variable.name] = standIn;
    } else if (configMapKeyRef) {
      const value = configMapData(configMapKeyRef.name)[configMapKeyRef.key];
      if (value === undefined)
        problems.push(`${variable.name}: ${configMapKeyRef.name} has no ${configMapKeyRef.key}`);
      else env[variable.name] = value;
      fromConfigMap.add(variable.name);
    } else if (variable.value !== undefined) {
      env[variable.name] = variable.value;
    }
  }
  return { env, fromSecret, fromConfigMap, problems };
}

/** Problems of a service's Deployment against its config.ts; empty when it can start. */
export async function settingsProblems(manifests: Manifest[], folder: string): Promise<string[]> {
  const deployment = deploymentOfService(manifests, folder);
  if (!deployment) return [`no Deployment runs ${folder}`];
  const container = containerOf(deployment);
  const { schema, loadConfig } = await serviceConfig(folder);
  const { env, fromSecret, fromConfigMap, problems } = containerEnvironment(manifests, container);
  for (const key of requiredSettings(schema))
    if (!(key in env)) problems.push(`${key} is required and not set`);
  for (const key of Object.keys(schema.properties)) {
    if (!secretSetting.test(key) || !(key in env)) continue;
    if (!fromSecret.has(key)) problems.push(`${key} must come from a Secret (secretKeyRef)`);
    if (fromConfigMap.has(key)) problems.push(`${key} is in a ConfigMap`);
  }
  if (problems.length > 0) return problems;
  try {
    const config = loadConfig(env);
    const port = container.ports?.find((p) => p.name === 'http')?.containerPort;
    if (config.PT_HTTP_HOST !== '0.0.0.0') problems.push(`PT_HTTP_HOST is ${String(config.PT_HTTP_HOST)}`);
    if (config.PT_HTTP_PORT !== port)
      problems.push(`PT_HTTP_PORT ${String(config.PT_HTTP_PORT)} ≠ port ${port}`);
  } catch (error) {
    problems.push((error as Error).message);
  }
  return problems;
}

/** The launcher's default ports (infra/launcher/ports.ts), ignoring PT_*_PORT overrides of this shell. */
function launcherDefaultPorts(): Record<string, number> {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) if (/^PT_[A-Z_]+_PORT$/.test(key)) delete process.env[key];
  try {
    const ports = stackPorts();
    return { ...ports.services, gateway: ports.gateway, web: ports.web };
  } finally {
    Object.assign(process.env, saved);
  }
}

/** The parts a browser reaches through the ingress controller. */
const publicParts = ['gateway', 'web', 'keycloak'];

/**
 * Who calls whom, from the code: a service calls X when its config.ts has a URL setting for X
 * (`PT_BRAND_ANALYTICS_URL` → brand-analytics). Keycloak is public, so its callers are not listed.
 */
async function callersFromCode(): Promise<Map<string, Set<string>>> {
  const callers = new Map<string, Set<string>>();
  for (const folder of serviceFolders) {
    for (const key of Object.keys((await serviceConfig(folder)).schema.properties)) {
      const match = /^PT_([A-Z_]+)_URL$/.exec(key);
      const callee = match?.[1]!.toLowerCase().replaceAll('_', '-');
      if (!callee || !serviceFolders.includes(callee)) continue;
      if (!callers.has(callee)) callers.set(callee, new Set());
      callers.get(callee)!.add(folder);
    }
  }
  return callers;
}

interface PolicySpec {
  podSelector: {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  policyTypes?: string[];
  ingress?: {
    from?: { podSelector?: { matchLabels?: Record<string, string> }; namespaceSelector?: unknown }[];
    ports?: { port?: number | string }[];
  }[];
  egress?: {
    to?: {
      podSelector?: PolicySpec['podSelector'];
      namespaceSelector?: { matchLabels?: Record<string, string> };
      ipBlock?: unknown;
    }[];
    ports?: { port?: number | string; protocol?: string }[];
  }[];
}

function selects(selector: PolicySpec['podSelector'], labels: Record<string, string>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) => {
    if (e.operator === 'In') return e.values!.includes(labels[e.key]!);
    if (e.operator === 'NotIn') return !e.values!.includes(labels[e.key]!);
    if (e.operator === 'Exists') return e.key in labels;
    return !(e.key in labels);
  });
  return byLabels && byExpressions;
}

/**
 * What the NetworkPolicies let reach a Deployment's pods: 'anyone', or the names
 * (`app.kubernetes.io/name`) of the pods admitted; problems when nothing denies by default, when a
 * rule names a port other than the pods' `http`, or admits another namespace.
 */
export function admittedTo(
  manifests: Manifest[],
  deployment: Manifest,
): { admitted: 'anyone' | string[]; problems: string[] } {
  const policies = byKind(manifests, 'NetworkPolicy').map((p) => p.spec as PolicySpec);
  const labels = (deployment.spec as { template: { metadata: { labels: Record<string, string> } } }).template
    .metadata.labels;
  const applying = policies.filter(
    (p) => selects(p.podSelector, labels) && p.policyTypes?.includes('Ingress'),
  );
  const problems: string[] = [];
  if (!policies.some((p) => Object.keys(p.podSelector).length === 0 && p.policyTypes?.includes('Ingress')))
    problems.push('no default-deny ingress policy');
  const admitted = new Set<string>();
  let anyone = false;
  for (const rule of applying.flatMap((p) => p.ingress ?? [])) {
    for (const port of rule.ports ?? [{}])
      if (port.port !== 'http') problems.push(`a rule admits port ${String(port.port ?? 'any')}`);
    if (!rule.from) anyone = true;
    for (const peer of rule.from ?? []) {
      if (peer.namespaceSelector !== undefined) problems.push('a rule admits another namespace');
      const name = peer.podSelector?.matchLabels?.['app.kubernetes.io/name'];
      if (name) admitted.add(name);
      else problems.push('a rule admits pods without naming them');
    }
  }
  return { admitted: anyone ? 'anyone' : [...admitted].sort(), problems };
}

/**
 * Where the NetworkPolicies let a pod open connections: the names of the pods in its namespace (on
 * their `http` port), and `dns` (kube-dns, port 53), `kafka` (the namespace kafka, port 9092) and
 * `postgres` (any address, port 5432 only); problems for anything else, or when nothing denies egress
 * by default.
 */
export function reachableFrom(
  manifests: Manifest[],
  podLabels: Record<string, string>,
): { reaches: string[]; problems: string[] } {
  const policies = byKind(manifests, 'NetworkPolicy').map((p) => p.spec as PolicySpec);
  const problems: string[] = [];
  if (!policies.some((p) => Object.keys(p.podSelector).length === 0 && p.policyTypes?.includes('Egress')))
    problems.push('no default-deny egress policy');
  const reaches = new Set<string>();
  const applying = policies.filter(
    (p) => selects(p.podSelector, podLabels) && p.policyTypes?.includes('Egress'),
  );
  for (const rule of applying.flatMap((p) => p.egress ?? [])) {
    const ports = (rule.ports ?? []).map((p) => `${String(p.port)}/${p.protocol ?? 'TCP'}`).sort();
    if (ports.length === 0) {
      problems.push('a rule allows every port');
      continue;
    }
    if (!rule.to) {
      if (ports.join() === '5432/TCP') reaches.add('postgres');
      else problems.push(`a rule opens ${ports.join()} to any address`);
      continue;
    }
    for (const peer of rule.to) {
      const namespace = peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];
      if (peer.ipBlock !== undefined) problems.push('an ipBlock in the base');
      else if (namespace === 'kube-system' && peer.podSelector?.matchLabels?.['k8s-app'] === 'kube-dns') {
        if (ports.join() === '53/TCP,53/UDP') reaches.add('dns');
        else problems.push(`DNS on ${ports.join()}`);
      } else if (namespace === 'kafka' && !peer.podSelector) {
        if (ports.join() === '9092/TCP') reaches.add('kafka');
        else problems.push(`Kafka on ${ports.join()}`);
      } else if (peer.namespaceSelector === undefined && peer.podSelector) {
        if (ports.join() !== 'http/TCP') problems.push(`pods reached on ${ports.join()}`);
        const names = [
          peer.podSelector.matchLabels?.['app.kubernetes.io/name'],
          ...(peer.podSelector.matchExpressions ?? [])
            .filter((e) => e.key === 'app.kubernetes.io/name' && e.operator === 'In')
            .flatMap((e) => e.values ?? []),
        ].filter((name): name is string => name !== undefined);
        if (names.length === 0) problems.push('a rule reaches pods without naming them');
        for (const name of names) reaches.add(name);
      } else problems.push(`a rule reaches ${JSON.stringify(peer)}`);
    }
  }
  return { reaches: [...reaches].sort(), problems };
}

/** Every YAML file under deploy/ and the kustomization in infra/keycloak. */
function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? yamlFiles(join(dir, entry.name))
      : /\.ya?ml$/.test(entry.name)
        ? [join(dir, entry.name)]
        : [],
  );
}

describe.each(Object.entries(builds))('deploy/kubernetes %s build', (_name, manifests) => {
  it('has only documents that are valid against their Kubernetes schemas', () => {
    const problems = manifests.flatMap((m) =>
      schemaProblems(m).map((p) => `${m.kind} ${m.metadata.name}: ${p}`),
    );
    expect(problems).toEqual([]);
    expect(manifests.length).toBeGreaterThan(30);
  });

  it('runs every service folder, the web app and Keycloak', () => {
    for (const folder of serviceFolders) expect(deploymentOfService(manifests, folder), folder).toBeDefined();
    expect(named(manifests, 'Deployment', 'web')).toBeDefined();
    expect(named(manifests, 'Deployment', 'keycloak')).toBeDefined();
  });

  it('gives every container readiness and liveness probes and resource requests and limits', () => {
    for (const deployment of byKind(manifests, 'Deployment')) {
      for (const container of podSpecOf(deployment)!.containers) {
        const where = `${deployment.metadata.name}/${container.name}`;
        expect(container.readinessProbe, where).toBeDefined();
        expect(container.livenessProbe, where).toBeDefined();
        const resources = container.resources as { requests?: object; limits?: object } | undefined;
        expect(Object.keys(resources?.requests ?? {}).sort(), where).toEqual(['cpu', 'memory']);
        expect(Object.keys(resources?.limits ?? {}).sort(), where).toEqual(['cpu', 'memory']);
      }
    }
  });

  it('probes each service on /health/ready and /health/live of its port', () => {
    for (const folder of serviceFolders) {
      const container = containerOf(deploymentOfService(manifests, folder)!);
      const probe = (name: string) =>
        (container[name] as { httpGet: { path: string; port: string } }).httpGet;
      expect(probe('readinessProbe'), folder).toEqual({ path: '/health/ready', port: 'http' });
      expect(probe('livenessProbe'), folder).toEqual({ path: '/health/live', port: 'http' });
    }
  });

  it('runs every pod as a non-root user without privilege escalation, services on a read-only root', () => {
    for (const workload of [...byKind(manifests, 'Deployment'), ...byKind(manifests, 'Job')]) {
      const pod = podSpecOf(workload)!;
      const podSecurity = pod.securityContext as { runAsNonRoot?: boolean; runAsUser?: number };
      expect(podSecurity?.runAsNonRoot, workload.metadata.name).toBe(true);
      expect(podSecurity?.runAsUser, workload.metadata.name).toBeGreaterThan(0);
      for (const container of pod.containers) {
        const security = container.securityContext as {
          allowPrivilegeEscalation?: boolean;
          readOnlyRootFilesystem?: boolean;
        };
        expect(security?.allowPrivilegeEscalation, workload.metadata.name).toBe(false);
        if (serviceEnvValue(container))
          expect(security?.readOnlyRootFilesystem, workload.metadata.name).toBe(true);
      }
    }
  });

  it.each(serviceFolders)(
    'gives %s every setting its config.ts requires, secrets from Secrets',
    async (folder) => {
      expect(await settingsProblems(manifests, folder)).toEqual([]);
    },
  );

  it('listens on the launcher ports, and each Service points at its Deployment', () => {
    const defaults = launcherDefaultPorts();
    for (const part of [...serviceNames, 'gateway', 'web']) {
      const deployment = named(manifests, 'Deployment', part)!;
      const port = containerOf(deployment).ports!.find((p) => p.name === 'http')!.containerPort;
      expect(port, part).toBe(defaults[part]);
      const service = named(manifests, 'Service', part)!;
      const spec = service.spec as {
        selector: Record<string, string>;
        ports: { port: number; targetPort: unknown }[];
      };
      expect(spec.ports, part).toEqual([expect.objectContaining({ port, targetPort: 'http' })]);
      const podLabels = (deployment.spec as { template: { metadata: { labels: Record<string, string> } } })
        .template.metadata.labels;
      expect(podLabels, part).toMatchObject(spec.selector);
    }
  });

  it('points every in-cluster URL setting at a Service and its port', () => {
    const config = byKind(manifests, 'ConfigMap').find((c) =>
      c.metadata.name.startsWith('packytrace-config'),
    )!;
    const urls = Object.entries(config.data as Record<string, string>).filter(([key]) =>
      key.endsWith('_URL'),
    );
    expect(urls.length).toBeGreaterThanOrEqual(7);
    for (const [key, value] of urls) {
      const url = new URL(value);
      const service = named(manifests, 'Service', url.hostname);
      expect(service, key).toBeDefined();
      expect(
        (service!.spec as { ports: { port: number }[] }).ports.map((p) => p.port),
        key,
      ).toContain(Number(url.port));
    }
  });

  it('lets the public reach only the gateway, the web app and Keycloak, and each service only its callers in the code', async () => {
    const callers = await callersFromCode();
    expect(callers.get('personalization')).toEqual(new Set(['gateway', 'passport'])); // the derivation works
    for (const deployment of byKind(manifests, 'Deployment')) {
      const name = deployment.metadata.name;
      const { admitted, problems } = admittedTo(manifests, deployment);
      expect(problems, name).toEqual([]);
      if (publicParts.includes(name)) expect(admitted, name).toBe('anyone');
      else expect(admitted, name).toEqual([...(callers.get(name) ?? [])].sort());
    }
    expect(admittedTo(manifests, deploymentOfService(manifests, 'measurement')!).admitted).toEqual([]);
  });

  it('lets each pod open connections only to what its config.ts names, and the cluster DNS', async () => {
    const expected = new Map<string, string[]>([
      ['web', []],
      ['keycloak', ['dns', 'postgres']],
      ['provision-database', ['dns', 'postgres']],
    ]);
    for (const folder of serviceFolders) {
      const keys = Object.keys((await serviceConfig(folder)).schema.properties);
      const callees = keys.flatMap((key) => {
        const callee = /^PT_([A-Z_]+)_URL$/.exec(key)?.[1]!.toLowerCase().replaceAll('_', '-');
        return callee && (serviceFolders.includes(callee) || callee === 'keycloak') ? [callee] : [];
      });
      if (keys.includes('PT_KAFKA_BROKERS')) callees.push('kafka');
      if (keys.includes('PT_DB_URL')) callees.push('postgres');
      expected.set(deploymentOfService(manifests, folder)!.metadata.name, ['dns', ...callees].sort());
    }
    expect(expected.get('gateway')).toEqual([
      'brand-analytics',
      'dns',
      'fridge',
      'identity',
      'kafka',
      'keycloak',
      'passport',
      'personalization',
    ]); // the derivation works
    const pods = [...byKind(manifests, 'Deployment'), ...byKind(manifests, 'Job')];
    expect(pods.map((p) => p.metadata.name).sort()).toEqual([...expected.keys()].sort());
    for (const pod of pods) {
      const labels = (pod.spec as { template: { metadata: { labels: Record<string, string> } } }).template
        .metadata.labels;
      const { reaches, problems } = reachableFrom(manifests, labels);
      expect(problems, pod.metadata.name).toEqual([]);
      expect(reaches, pod.metadata.name).toEqual(expected.get(pod.metadata.name));
    }
  });

  it('autoscales the stateless services and only them, each HPA on an existing Deployment', () => {
    const hpas = byKind(manifests, 'HorizontalPodAutoscaler');
    for (const hpa of hpas) {
      const spec = hpa.spec as {
        scaleTargetRef: { apiVersion: string; kind: string; name: string };
        minReplicas: number;
      };
      expect(spec.scaleTargetRef.apiVersion).toBe('apps/v1');
      expect(spec.scaleTargetRef.kind).toBe('Deployment');
      expect(named(manifests, 'Deployment', spec.scaleTargetRef.name), hpa.metadata.name).toBeDefined();
      expect(spec.minReplicas).toBeGreaterThanOrEqual(2);
    }
    const targets = hpas.map((hpa) => (hpa.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name);
    expect(targets.sort()).toEqual([...statelessServices].sort());
  });

  it('runs the Measurement Pipeline as a leader and a standby, rolled without a gap', () => {
    const spec = named(manifests, 'Deployment', 'measurement')!.spec as {
      replicas: number;
      strategy: { type: string; rollingUpdate?: { maxUnavailable: number } };
    };
    expect(spec.replicas).toBe(2);
    expect(spec.strategy).toMatchObject({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } });
  });

  it('has PodDisruptionBudgets that select a Deployment with more pods than they keep', () => {
    const pdbs = byKind(manifests, 'PodDisruptionBudget');
    expect(pdbs.map((p) => p.metadata.name).sort()).toEqual([...statelessServices, 'web'].sort());
    for (const pdb of pdbs) {
      const spec = pdb.spec as { minAvailable: number; selector: { matchLabels: Record<string, string> } };
      const deployment = byKind(manifests, 'Deployment').find((d) =>
        Object.entries(spec.selector.matchLabels).every(
          ([k, v]) =>
            (d.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata
              .labels[k] === v,
        ),
      );
      expect(deployment, pdb.metadata.name).toBeDefined();
      const hpa = byKind(manifests, 'HorizontalPodAutoscaler').find(
        (h) =>
          (h.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name === deployment!.metadata.name,
      );
      const least =
        (hpa?.spec as { minReplicas?: number } | undefined)?.minReplicas ??
        (deployment!.spec as { replicas: number }).replicas;
      expect(spec.minAvailable, pdb.metadata.name).toBeLessThan(least);
    }
  });

  it('commits no Secret: every secretKeyRef names a Secret and key listed in docs/deployment.md', () => {
    expect(byKind(manifests, 'Secret')).toEqual([]);
    const refs = [...byKind(manifests, 'Deployment'), ...byKind(manifests, 'Job')].flatMap((w) =>
      podSpecOf(w)!.containers.flatMap((c) => (c.env ?? []).flatMap((e) => e.valueFrom?.secretKeyRef ?? [])),
    );
    expect(refs.length).toBeGreaterThan(10);
    const documented = deploymentDoc.split('\n').filter((line) => line.startsWith('|'));
    for (const { name, key } of refs) {
      expect(
        documented.some((line) => line.includes(`\`${name}\``) && line.includes(`\`${key}\``)),
        `${name}/${key}`,
      ).toBe(true);
    }
  });

  it('imports the realm file itself into Keycloak, with every placeholder it uses set', () => {
    const realmFile = readFileSync(join(root, 'infra', 'keycloak', 'realm-packytrace.json'), 'utf8');
    const keycloak = named(manifests, 'Deployment', 'keycloak')!;
    const pod = podSpecOf(keycloak)!;
    const volume = pod.volumes!.find((v) => v.name === 'realm')!;
    const configMap = named(manifests, 'ConfigMap', volume.configMap!.name)!;
    expect((configMap.data as Record<string, string>)['realm-packytrace.json']).toBe(realmFile);
    expect(pod.containers[0]!.volumeMounts).toContainEqual(
      expect.objectContaining({ name: 'realm', mountPath: '/opt/keycloak/data/import' }),
    );
    expect(pod.containers[0]!.args).toContain('--import-realm');
    const placeholders = new Set(
      [...realmFile.matchAll(/\$\{(PT_[A-Z_]+)(?::[^}]*)?\}/g)].map(([, name]) => name!),
    );
    const env = new Set((pod.containers[0]!.env ?? []).map((e) => e.name));
    for (const placeholder of placeholders) expect(env, placeholder).toContain(placeholder);
    // the client secret Keycloak puts into the realm is the one Identity uses
    const secretOf = (container: Container) =>
      container.env?.find((e) => e.name === 'PT_IDENTITY_CLIENT_SECRET')?.valueFrom?.secretKeyRef;
    expect(secretOf(pod.containers[0]!)).toEqual(
      secretOf(containerOf(deploymentOfService(manifests, 'identity')!)),
    );
  });

  it('provisions every database role with the password of the Secret its service connects with', () => {
    const job = named(manifests, 'Job', 'provision-database')!;
    const env = podSpecOf(job)!.containers[0]!.env ?? [];
    expect(env.find((e) => e.name === 'PT_DATABASE_URL')?.valueFrom?.secretKeyRef).toBeDefined();
    for (const { role } of serviceRoles) {
      const ref = env.find((e) => e.name === `PT_DB_URL_${role.toUpperCase()}`)?.valueFrom?.secretKeyRef;
      const users = byKind(manifests, 'Deployment').filter((d) => {
        const db = containerOf(d).env?.find((e) => e.name === 'PT_DB_URL')?.valueFrom?.secretKeyRef;
        return db !== undefined && db.name === ref?.name && db.key === ref?.key;
      });
      expect(
        users.map((d) => d.metadata.name),
        role,
      ).toEqual([role.replace(/_svc$/, '').replace(/_/g, '-')]);
    }
  });
});

describe('deploy/kubernetes production overlay', () => {
  it('puts everything into one namespace and the registry image', () => {
    const { production } = builds;
    expect(new Set(production.map((m) => m.metadata.namespace))).toEqual(new Set(['packytrace']));
    const images = production.flatMap((m) => podSpecOf(m)?.containers.map((c) => c.image) ?? []);
    expect(images.filter((image) => image.startsWith('packytrace:'))).toEqual([]);
    expect(images).toContain('registry.example.com/packytrace:0.1.0');
  });

  it('serves the web app on its public host and tells browsers the gateway and Keycloak the Ingress routes', () => {
    const { production } = builds;
    const web = containerOf(named(production, 'Deployment', 'web')!);
    const { env, problems } = containerEnvironment(production, web);
    expect(problems).toEqual([]);
    expect(env.PT_HTTP_HOST).toBe('0.0.0.0');
    expect(Number(env.PT_WEB_PORT)).toBe(web.ports!.find((p) => p.name === 'http')!.containerPort);
    expect((web.securityContext as { readOnlyRootFilesystem?: boolean }).readOnlyRootFilesystem).toBe(true);
    const browserSees = runtimeConfigFrom(env);
    const gatewayConfig = containerEnvironment(
      production,
      containerOf(named(production, 'Deployment', 'gateway')!),
    );
    const appOrigin = gatewayConfig.env.PT_CORS_ORIGINS!;
    const routed = new Map(
      byKind(production, 'Ingress').flatMap((ingress) =>
        (
          (
            ingress.spec as {
              rules: { host: string; http: { paths: { backend: { service: { name: string } } }[] } }[];
            }
          ).rules ?? []
        ).map((rule) => [rule.host, rule.http.paths[0]!.backend.service.name] as const),
      ),
    );
    for (const [url, part] of [
      [browserSees.apiUrl, 'gateway'],
      [browserSees.oidc.authority, 'keycloak'],
      [appOrigin, 'web'],
    ] as const) {
      expect(new URL(url).protocol, url).toBe('https:');
      expect(routed.get(new URL(url).hostname), url).toBe(part);
    }
    expect(new URL(browserSees.oidc.authority).origin + '/realms/packytrace').toBe(
      containerEnvironment(production, containerOf(named(production, 'Deployment', 'identity')!)).env
        .PT_KEYCLOAK_ISSUER,
    );
  });
});

describe('deploy/kubernetes/strimzi', () => {
  it('declares the contract topics with their partition counts', () => {
    const problems = strimziTopics.flatMap((topic) =>
      [...Value.Errors(KafkaTopic, topic)].map(
        (e) => `${topic.metadata.name}${e.instancePath}: ${e.message}`,
      ),
    );
    expect(problems).toEqual([]);
    const declared = strimziTopics.map((t) => {
      const spec = t.spec as { topicName: string; partitions: number };
      expect(spec.topicName).toBe(t.metadata.name);
      return `${spec.topicName}:${spec.partitions}`;
    });
    expect(declared.sort()).toEqual(
      allTopics()
        .map((t) => `${t.topic}:${t.partitions}`)
        .sort(),
    );
  });
});

describe('committed YAML', () => {
  it('holds no Secret with values anywhere under deploy/ or infra/keycloak', () => {
    const files = [...yamlFiles(join(root, 'deploy')), ...yamlFiles(join(root, 'infra', 'keycloak'))];
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      for (const manifest of readManifests(file)) {
        if (manifest.kind !== 'Secret') continue;
        expect({ file: relative(root, file), data: manifest.data, stringData: manifest.stringData }).toEqual({
          file: relative(root, file),
          data: undefined,
          stringData: undefined,
        });
      }
    }
  });
});

describe('the checks themselves', () => {
  const deployment = () => structuredClone(deploymentOfService(builds.base, 'personalization')!);

  it('reject a document that breaks its schema', () => {
    const broken = deployment();
    containerOf(broken).ports![0]!.containerPort = '8103' as unknown as number;
    expect(schemaProblems(broken).join()).toMatch(/containerPort must be integer/);
    expect(schemaProblems({ ...broken, apiVersion: 'apps/v1beta1' })).toEqual([
      'no schema for apps/v1beta1 Deployment',
    ]);
  });

  it('catch a missing required setting, a secret out of a ConfigMap and a port that differs', async () => {
    const withoutKey = deployment();
    containerOf(withoutKey).env = containerOf(withoutKey).env!.filter(
      (e) => e.name !== 'PT_HEALTH_PROFILE_KEY',
    );
    const others = builds.base.filter(
      (m) => m.metadata.name !== 'personalization' || m.kind !== 'Deployment',
    );
    expect(await settingsProblems([...others, withoutKey], 'personalization')).toContain(
      'PT_HEALTH_PROFILE_KEY is required and not set',
    );

    const literalSecret = deployment();
    containerOf(literalSecret).env!.find((e) => e.name === 'PT_INTERNAL_SECRET')!.valueFrom = undefined;
    containerOf(literalSecret).env!.find((e) => e.name === 'PT_INTERNAL_SECRET')!.value = 'x'.repeat(32);
    expect(await settingsProblems([...others, literalSecret], 'personalization')).toContain(
      'PT_INTERNAL_SECRET must come from a Secret (secretKeyRef)',
    );

    const otherPort = deployment();
    containerOf(otherPort).env!.find((e) => e.name === 'PT_HTTP_PORT')!.value = '9999';
    expect((await settingsProblems([...others, otherPort], 'personalization')).join()).toMatch(
      /PT_HTTP_PORT 9999/,
    );
  });

  it('catch a service open to a caller the code does not have, and a policy without a default deny', () => {
    const identity = named(builds.base, 'Deployment', 'identity')!;
    const widened = structuredClone(builds.base);
    const identityPolicy = named(widened, 'NetworkPolicy', 'identity-callers')!.spec as PolicySpec;
    identityPolicy.ingress![0]!.from!.push({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'fridge' } },
    });
    expect(admittedTo(widened, identity).admitted).toEqual(['fridge', 'gateway', 'personalization']);
    const opened = structuredClone(builds.base);
    delete (named(opened, 'NetworkPolicy', 'identity-callers')!.spec as PolicySpec).ingress![0]!.from;
    expect(admittedTo(opened, identity).admitted).toBe('anyone');
    const noDefault = builds.base.filter((m) => m.metadata.name !== 'default-deny-ingress');
    expect(admittedTo(noDefault, identity).problems).toContain('no default-deny ingress policy');
  });

  it('catch a pod that may reach more than its config names, an open egress rule and no default deny', () => {
    const fridge = { 'app.kubernetes.io/name': 'fridge' };
    expect(reachableFrom(builds.base, fridge)).toEqual({
      reaches: ['dns', 'kafka', 'passport', 'postgres'],
      problems: [],
    });
    const widened = structuredClone(builds.base);
    (named(widened, 'NetworkPolicy', 'fridge-calls')!.spec as PolicySpec).egress![0]!.to!.push({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'identity' } },
    });
    expect(reachableFrom(widened, fridge).reaches).toEqual([
      'dns',
      'identity',
      'kafka',
      'passport',
      'postgres',
    ]);
    const opened = structuredClone(builds.base);
    (named(opened, 'NetworkPolicy', 'postgres')!.spec as PolicySpec).egress![0]!.ports!.push({ port: 443 });
    expect(reachableFrom(opened, fridge).problems).toEqual(['a rule opens 443/TCP,5432/TCP to any address']);
    const everyPort = structuredClone(builds.base);
    delete (named(everyPort, 'NetworkPolicy', 'fridge-calls')!.spec as PolicySpec).egress![0]!.ports;
    expect(reachableFrom(everyPort, fridge).problems).toEqual(['a rule allows every port']);
    const noDefault = builds.base.filter((m) => m.metadata.name !== 'default-deny-egress');
    expect(reachableFrom(noDefault, fridge).problems).toContain('no default-deny egress policy');
  });

  it('read the required settings from the TypeBox schemas', async () => {
    expect(requiredSettings((await serviceConfig('measurement')).schema).sort()).toEqual(
      ['PT_DB_URL', 'PT_HTTP_PORT', 'PT_INTERNAL_SECRET', 'PT_MEASUREMENT_HASH_KEY'].sort(),
    );
    expect(requiredSettings((await serviceConfig('gateway')).schema).sort()).toEqual(
      ['PT_INTERNAL_SECRET', 'PT_VISITOR_COOKIE_SECRET'].sort(),
    );
  });
});
