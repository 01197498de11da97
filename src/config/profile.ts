/**
 * Version profiles: the pinned stack for a run, as data (profiles/<name>.yaml).
 * The nightly matrix iterates over the files; the code only reads them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { UserError } from '../errors.js';

/** Plan values a manifest placeholder may be filled from (the profile maps names to these). */
export const PLACEHOLDER_SOURCES = [
  'master-ip',
  'gateway',
  'registry',
  'tag',
  'api-server',
  'api-port',
  'controller-nodes',
  'agent-nodes',
  'cluster-name',
  'pod-subnets',
  'service-subnets',
  'ip-fabric-subnets',
  'asn',
  'cloud-orchestrator',
  'log-level',
  'phys-int',
  'kube-manager-nodes',
] as const;
export type PlaceholderSource = (typeof PLACEHOLDER_SOURCES)[number];

const size = z.strictObject({
  'memory-gib': z.number().positive(),
  'disk-gib': z.number().positive(),
});
const imageRef = z.union([
  z.strictObject({ owner: z.string(), name: z.string(), note: z.string().optional() }),
  z.strictObject({ project: z.string(), family: z.string(), note: z.string().optional() }),
  z.strictObject({
    publisher: z.string(),
    offer: z.string(),
    sku: z.string(),
    version: z.string().default('latest'),
    note: z.string().optional(),
  }),
  z.strictObject({ none: z.string() }),
]);
const instanceTypes = z.strictObject({ master: z.string(), worker: z.string(), edge: z.string() });

export const profileSchema = z.strictObject({
  name: z.string(),
  description: z.string(),
  sources: z.array(z.string()).default([]),
  os: z.strictObject({
    distro: z.string(),
    release: z.string(),
    kernel: z.string(),
    'kernel-notes': z.string().optional(),
    'kernel-headers': z.boolean().default(false),
    repos: z.array(z.strictObject({ name: z.string(), baseurl: z.string() })).default([]),
    packages: z.record(z.string(), z.string()).default({}),
  }),
  'container-runtime': z.strictObject({ name: z.string(), version: z.string() }),
  kubernetes: z.strictObject({
    version: z.string(),
    'supported-minors': z.array(z.string()).min(1),
    unsupported: z.array(z.strictObject({ minor: z.string(), reason: z.string() })).default([]),
    'package-repo': z.string().nullable(),
    'package-repo-note': z.string().optional(),
    binaries: z.strictObject({
      url: z.string(),
      checksums: z.record(z.string(), z.string()).default({}),
      'checksum-url': z.string().optional(),
    }),
    'image-repository': z.string(),
    'kubeadm-api': z.string(),
    'pause-image': z.string().optional(),
  }),
  tf: z.strictObject({
    registry: z.string(),
    tag: z.string(),
    'tag-note': z.string().optional(),
    'image-prefix': z.string(),
    'images-per-node': z.number().int().positive(),
    manifest: z.strictObject({
      name: z.string(),
      url: z.string(),
      /** placeholder name → a plan value (`from`) or a fixed text (`value`) */
      placeholders: z.record(
        z.string(),
        z.union([
          z.strictObject({ from: z.enum(PLACEHOLDER_SOURCES) }),
          z.strictObject({ value: z.string() }),
        ]),
      ),
      'env-configmap': z.string(),
      'kube-manager-configmap': z.string(),
      namespace: z.string().default('kube-system'),
      'api-versions': z.array(z.string()).default([]),
    }),
    'control-pod-selector': z.string(),
  }),
  minimums: z.strictObject({ master: size, worker: size, edge: size }),
  images: z.strictObject({ aws: imageRef, gcp: imageRef, azure: imageRef }),
  'instance-types': z.strictObject({
    aws: instanceTypes,
    gcp: instanceTypes,
    azure: instanceTypes,
  }),
  /** facts the profile states that no source could confirm; plan prints them */
  unverified: z.array(z.string()).default([]),
});

export type Profile = z.infer<typeof profileSchema>;

/** The folder holding profiles/, found from this module both in src/ and in the bundled dist/. */
export function profilesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'profiles');
    if (existsSync(join(candidate, 'tf-2018.yaml'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('profiles/ folder not found next to the program; reinstall tungsten-e2e.');
}

export function listProfiles(dir = profilesDir()): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort();
}

const cache = new Map<string, Profile>();

export function loadProfile(name: string, dir = profilesDir()): Profile {
  const key = `${dir}\0${name}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const known = listProfiles(dir);
  if (!known.includes(name)) {
    throw new UserError(`profile "${name}" does not exist; use one of ${known.join(', ')}.`);
  }
  const file = join(dir, `${name}.yaml`);
  const parsed = profileSchema.safeParse(parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new Error(`profile file ${file} is invalid at ${first.path.join('.')}: ${first.message}`);
  }
  if (parsed.data.name !== name) {
    throw new Error(`profile file ${file} names itself "${parsed.data.name}"`);
  }
  cache.set(key, parsed.data);
  return parsed.data;
}

export function minorOf(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}
