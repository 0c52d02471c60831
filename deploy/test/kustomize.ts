/**
 * The part of `kustomize build` that deploy/kubernetes uses, so the manifests can be checked without a
 * kustomize binary (none installs from the registries here). Anything else in a kustomization.yaml
 * throws, so a layout this does not understand fails the test instead of being half-read.
 * Semantics follow https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

interface Built {
  manifest: Manifest;
  /** A generated ConfigMap: gets a content-hash suffix at the end, and references to it follow. */
  generatedName?: string;
}

interface ConfigMapGenerator {
  name: string;
  behavior?: 'create' | 'merge' | 'replace';
  envs?: string[];
  files?: string[];
  literals?: string[];
}

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  resources?: string[];
  labels?: { pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }[];
  images?: { name: string; newName?: string; newTag?: string }[];
  configMapGenerator?: ConfigMapGenerator[];
  generatorOptions?: { disableNameSuffixHash?: boolean };
  patches?: { target: { kind: string; name: string }; patch: string }[];
}

const supportedKeys = new Set([
  'apiVersion',
  'kind',
  'namespace',
  'resources',
  'labels',
  'images',
  'configMapGenerator',
  'generatorOptions',
  'patches',
]);

export function readManifests(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      return doc.toJSON() as Manifest | null;
    })
    .filter((doc): doc is Manifest => doc !== null);
}

/** `kustomize build <dir>`: the resources with generated names hashed and references updated. */
export function kustomizeBuild(dir: string): Manifest[] {
  const built = buildDirectory(resolve(dir));
  const renamed = new Map<string, string>();
  for (const item of built) {
    if (item.generatedName === undefined) continue;
    const hash = createHash('sha256')
      .update(JSON.stringify(item.manifest.data ?? {}))
      .digest('hex')
      .slice(0, 10);
    const name = `${item.generatedName}-${hash}`;
    renamed.set(item.generatedName, name);
    item.manifest.metadata.name = name;
  }
  const manifests = built.map((item) => item.manifest);
  for (const manifest of manifests) renameConfigMapReferences(manifest, renamed);
  return manifests;
}

function buildDirectory(dir: string): Built[] {
  const file = join(dir, 'kustomization.yaml');
  if (!existsSync(file)) throw new Error(`${dir} has no kustomization.yaml`);
  const k = parse(readFileSync(file, 'utf8')) as Kustomization;
  for (const key of Object.keys(k)) {
    if (!supportedKeys.has(key))
      throw new Error(`${file}: "${key}" is not supported by deploy/test/kustomize.ts`);
  }
  const items: Built[] = [];
  for (const entry of k.resources ?? []) {
    const path = resolve(dir, entry);
    if (statSync(path).isDirectory()) items.push(...buildDirectory(path));
    else items.push(...readManifests(insideRoot(dir, entry)).map((manifest) => ({ manifest })));
  }
  for (const generator of k.configMapGenerator ?? []) generateConfigMap(dir, generator, items, k);
  for (const patch of k.patches ?? []) applyPatch(file, patch, items);
  for (const image of k.images ?? []) for (const { manifest } of items) setImage(manifest, image);
  for (const { pairs, includeSelectors, includeTemplates } of k.labels ?? []) {
    if (includeSelectors || includeTemplates) throw new Error(`${file}: only metadata labels are supported`);
    for (const { manifest } of items) manifest.metadata.labels = { ...manifest.metadata.labels, ...pairs };
  }
  if (k.namespace) for (const { manifest } of items) manifest.metadata.namespace = k.namespace;
  return items;
}

/** Kustomize's default load restrictor: files only inside the kustomization's folder. */
function insideRoot(dir: string, entry: string): string {
  const path = resolve(dir, entry);
  const rel = relative(dir, path);
  if (rel.startsWith('..') || isAbsolute(rel))
    throw new Error(`${entry} is outside ${dir} (kustomize refuses it)`);
  return path;
}

function generateConfigMap(
  dir: string,
  generator: ConfigMapGenerator,
  items: Built[],
  k: Kustomization,
): void {
  const data: Record<string, string> = {};
  for (const envFile of generator.envs ?? []) {
    for (const line of readFileSync(insideRoot(dir, envFile), 'utf8').split('\n')) {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      const at = trimmed.indexOf('=');
      if (at < 1) throw new Error(`${envFile}: "${trimmed}" is not KEY=VALUE`);
      data[trimmed.slice(0, at)] = trimmed.slice(at + 1);
    }
  }
  for (const literal of generator.literals ?? []) {
    const at = literal.indexOf('=');
    data[literal.slice(0, at)] = literal.slice(at + 1);
  }
  for (const entry of generator.files ?? []) {
    const [key, path] = entry.includes('=') ? entry.split('=', 2) : [basename(entry), entry];
    data[key!] = readFileSync(insideRoot(dir, path!), 'utf8');
  }
  const behavior = generator.behavior ?? 'create';
  const existing = items.find(
    (item) => item.manifest.kind === 'ConfigMap' && item.generatedName === generator.name,
  );
  if (behavior === 'create') {
    if (existing) throw new Error(`ConfigMap ${generator.name} is generated twice`);
    items.push({
      manifest: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: generator.name }, data },
      generatedName: k.generatorOptions?.disableNameSuffixHash ? undefined : generator.name,
    });
    return;
  }
  if (!existing) throw new Error(`ConfigMap ${generator.name} to ${behavior} does not exist`);
  existing.manifest.data =
    behavior === 'merge' ? { ...(existing.manifest.data as Record<string, string>), ...data } : data;
}

type JsonPatchOperation = { op: 'add' | 'replace' | 'remove'; path: string; value?: unknown };

/** JSON 6902 patches (a list of operations) on the resources a target names. */
function applyPatch(
  file: string,
  patch: NonNullable<Kustomization['patches']>[number],
  items: Built[],
): void {
  const operations = parse(patch.patch) as JsonPatchOperation[];
  if (!Array.isArray(operations)) throw new Error(`${file}: only JSON 6902 patches are supported`);
  const targets = items.filter(
    ({ manifest }) => manifest.kind === patch.target.kind && manifest.metadata.name === patch.target.name,
  );
  if (targets.length === 0) throw new Error(`${file}: no ${patch.target.kind} ${patch.target.name} to patch`);
  for (const { manifest } of targets) for (const operation of operations) applyOperation(manifest, operation);
}

function applyOperation(document: unknown, { op, path, value }: JsonPatchOperation): void {
  const keys = path
    .split('/')
    .slice(1)
    .map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = keys.pop()!;
  let parent = document as Record<string, unknown>;
  for (const key of keys) {
    const next = parent[key];
    if (next === null || typeof next !== 'object') throw new Error(`patch path ${path} does not exist`);
    parent = next as Record<string, unknown>;
  }
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (op === 'add') parent.splice(index, 0, value);
    else if (op === 'replace') parent[index] = value;
    else parent.splice(index, 1);
    return;
  }
  if (op !== 'add' && !(last in parent)) throw new Error(`patch path ${path} does not exist`);
  if (op === 'remove') delete parent[last];
  else parent[last] = value;
}

/** The pod spec of a workload (Deployment, Job), if it has one. */
export function podSpecOf(manifest: Manifest): PodSpec | undefined {
  const spec = manifest.spec as { template?: { spec?: PodSpec } } | undefined;
  return spec?.template?.spec;
}

export interface Container {
  name: string;
  image: string;
  ports?: { name?: string; containerPort: number }[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: {
      secretKeyRef?: { name: string; key: string };
      configMapKeyRef?: { name: string; key: string };
    };
  }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  [key: string]: unknown;
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; configMap?: { name: string }; secret?: { secretName: string } }[];
  [key: string]: unknown;
}

function setImage(manifest: Manifest, image: NonNullable<Kustomization['images']>[number]): void {
  const pod = podSpecOf(manifest);
  for (const container of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
    const [name, tag] = container.image.split(':');
    if (name !== image.name) continue;
    container.image = `${image.newName ?? name}${(image.newTag ?? tag) ? `:${image.newTag ?? tag}` : ''}`;
  }
}

function renameConfigMapReferences(manifest: Manifest, renamed: Map<string, string>): void {
  const pod = podSpecOf(manifest);
  if (!pod) return;
  const rename = (ref: { name: string } | undefined) => {
    if (ref && renamed.has(ref.name)) ref.name = renamed.get(ref.name)!;
  };
  for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
    for (const from of container.envFrom ?? []) rename(from.configMapRef);
    for (const variable of container.env ?? []) rename(variable.valueFrom?.configMapKeyRef);
  }
  for (const volume of pod.volumes ?? []) rename(volume.configMap);
}
