/**
 * Version profiles: the pinned stack for a run, as data (profiles/<name>.yaml).
 * The nightly matrix iterates over the files; the code only reads them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { InfraError, UserError } from '../errors.js';
import { closest } from './suggest.js';

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
    /** the env ConfigMap key TF's CNI takes the pods' MTU from; none: the CNI's own 1500 */
    'pod-mtu-key': z.string().optional(),
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

/** The profile every site file gets unless it names one; its file marks the profiles/ folder. */
export const DEFAULT_PROFILE = 'tf-2018';

/**
 * The profiles ship with the program (package.json `files`), so a missing or
 * broken one is an installation problem, not the user's input: exit 3, one
 * sentence, and what to do about it.
 */
function installProblem(what: string): InfraError {
  return new InfraError(
    `${what}; the tungsten-e2e installation is incomplete or was edited: reinstall it (or restore the file from the release).`,
  );
}

/** The folder holding profiles/, found from this module both in src/ and in the bundled dist/. */
export function profilesDir(start = dirname(fileURLToPath(import.meta.url))): string {
  let dir = start;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'profiles');
    if (existsSync(join(candidate, `${DEFAULT_PROFILE}.yaml`))) return candidate;
    dir = dirname(dir);
  }
  throw installProblem(
    `the version profiles (profiles/${DEFAULT_PROFILE}.yaml) were not found in ${start} or the folders above it`,
  );
}

export function listProfiles(dir = profilesDir()): string[] {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch (e) {
    throw installProblem(
      `the version profiles folder ${dir} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
    );
  }
  return files
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort();
}

/** The sentence for a profile name that is not one of the shipped profiles; `where` names its source. */
export function unknownProfileMessage(name: string, where: string, dir = profilesDir()): string {
  const known = listProfiles(dir);
  const guess = closest(name, known);
  return `${where} is "${name}", which is not a version profile; use one of ${known.join(', ')}${guess ? ` (did you mean "${guess}"?)` : ''}.`;
}

/** Refuse a profile name given as a flag or an input (`where`) before anything runs. */
export function checkProfileName(name: string, where: string, dir = profilesDir()): void {
  if (!listProfiles(dir).includes(name))
    throw new UserError(unknownProfileMessage(name, where, dir));
}

const cache = new Map<string, Profile>();

export function loadProfile(name: string, dir = profilesDir()): Profile {
  const key = `${dir}\0${name}`;
  const hit = cache.get(key);
  if (hit) return hit;
  if (!listProfiles(dir).includes(name)) {
    throw new UserError(unknownProfileMessage(name, 'profile', dir));
  }
  const file = join(dir, `${name}.yaml`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw installProblem(
      `the version profile ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
    );
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.replace(/[.:]$/, '');
    throw installProblem(`the version profile ${file} is not valid YAML (${why})`);
  }
  const parsed = profileSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw installProblem(
      `the version profile ${file} is invalid at ${first.path.join('.') || 'the top level'} (${first.message.replace(/\.$/, '')})`,
    );
  }
  if (parsed.data.name !== name) {
    throw installProblem(
      `the version profile ${file} names itself "${parsed.data.name}" instead of "${name}"`,
    );
  }
  cache.set(key, parsed.data);
  return parsed.data;
}

export function minorOf(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}
