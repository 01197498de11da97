/**
 * The site file's schema: the one place its shape is defined. Keys are the
 * file's kebab-case; `load.ts` turns the parsed value into the camelCase
 * `RunConfig` the rest of the program trusts.
 */
import { z } from 'zod';
import { DEFAULT_PROFILE } from './profile.js';

export const PROVIDERS = ['local', 'aws', 'gcp', 'azure', 'static'] as const;
export const FAULTS = [
  'control-race',
  'no-bgp',
  'leak-isolation',
  'dead-backend',
  'wrong-tunnel-key',
] as const;
export const SUITES = ['connectivity', 'isolation'] as const;
export const ISOLATION_MODES = ['default', 'namespace', 'service', 'container'] as const;
export const CIDR_KINDS = ['underlay', 'pod', 'service', 'ip-fabric'] as const;
export const TEARDOWN_POLICIES = ['always', 'on-success', 'never'] as const;
/** contrail-status service states (the parser's SERVICE_STATES) a toleration may name */
export const TOLERABLE_STATES = ['backup', 'initializing', 'inactive', 'timeout'] as const;

/** Site names end up in namespace, interface, tag and resource names. */
export const SITE_NAME = /^[a-z]([a-z0-9-]{0,14}[a-z0-9])?$/;
export const SITE_NAME_RULE =
  'a lowercase DNS label: a-z, 0-9 and "-", starting with a letter, not ending with "-", at most 16 characters';
/** Test namespace names become Kubernetes namespaces and Linux netns name parts. */
export const K8S_NAME = /^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$/;
export const K8S_NAME_RULE =
  'a lowercase DNS label: a-z, 0-9 and "-", starting with a letter, at most 32 characters';
// at least one unit: an empty text is no duration
export const DURATION = /^(?=\d)(\d+d)?(\d+h)?(\d+m)?(\d+s)?$/;
export const DURATION_RULE = 'a duration like 3h, 90m or 1h30m (units d, h, m, s)';
/** Cloud instance/machine types and image references: no spaces, no shell metacharacters. */
const TOKEN = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,254}$/;
const TOKEN_RULE = 'letters, digits and . _ : / @ + - only';
const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;
const USER = /^[a-z_][a-z0-9_-]{0,31}$/;
/** A registry user name, in the site file's registry.username and the action's registry-username. */
export const REGISTRY_USER = USER;
export const REGISTRY_USER_RULE =
  'a registry user name (a-z, 0-9, "_", "-", starting with a letter or "_")';

const token = z.string().regex(TOKEN, { error: `must be ${TOKEN_RULE}` });
const cidrText = z.string();

/** One OpenSSH public host key: "type base64 [comment]". */
const HOST_KEY =
  /^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|ssh-rsa) [A-Za-z0-9+/]+={0,2}( [^\n]*)?$/;

const staticHost = z.strictObject({
  address: z.string().regex(HOSTNAME, { error: 'must be an IP address or a host name' }),
  'private-address': z.string().optional(),
  port: z.number().int().min(1).max(65535).default(22),
  user: z
    .string()
    .regex(USER, { error: 'must be a Unix user name (a-z, 0-9, "_", "-")' })
    .default('root'),
  role: z.enum(['master', 'worker', 'edge']),
  jump: z.string().regex(HOSTNAME, { error: 'must be an IP address or a host name' }).optional(),
  'host-key': z
    .string()
    .regex(HOST_KEY, {
      error:
        'must be an OpenSSH public key line like "ssh-ed25519 AAAA…" (ssh-keyscan -t ed25519 <address> prints it)',
    })
    .optional(),
});

const site = z.strictObject({
  name: z.string().regex(SITE_NAME, { error: `must be ${SITE_NAME_RULE}` }),
  provider: z.enum(PROVIDERS),
  region: token.optional(),
  zone: token.optional(),
  image: token.optional(),
  spot: z.boolean().default(false),
  'ssh-cidr': cidrText.optional(),
  nodes: z
    .strictObject({
      workers: z.number().int().min(0).max(50).default(1),
      'master-type': token.optional(),
      'worker-type': token.optional(),
      'edge-type': token.optional(),
    })
    .default({ workers: 1 }),
  cidrs: z
    .strictObject({
      underlay: cidrText.optional(),
      pod: cidrText.optional(),
      service: cidrText.optional(),
      'ip-fabric': cidrText.optional(),
    })
    .default({}),
  asn: z.number().int().min(1).max(4294967294).optional(),
  hosts: z.array(staticHost).min(1).optional(),
  faults: z.array(z.enum(FAULTS)).default([]),
});

export const siteFileSchema = z.strictObject({
  profile: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{0,40}$/, { error: 'must be a profile name' })
    .default(DEFAULT_PROFILE),
  ttl: z
    .string()
    .regex(DURATION, { error: `must be ${DURATION_RULE}` })
    .default('3h'),
  'allow-unsupported': z.boolean().default(false),
  versions: z
    .strictObject({
      kubernetes: z
        .string()
        .regex(/^\d+\.\d+\.\d+$/, { error: 'must be a Kubernetes version like 1.10.11' })
        .optional(),
      'tf-tag': token.optional(),
    })
    .default({}),
  registry: z
    .strictObject({
      mirror: z
        .string()
        .regex(/^[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._-]+)*$/, {
          error:
            'must be a registry host with an optional port and path, like mirror.example.com:5000/dockerhub',
        })
        .optional(),
      username: z
        .string()
        .regex(REGISTRY_USER, { error: `must be ${REGISTRY_USER_RULE}` })
        .optional(),
      images: z
        .enum(['runner', 'nodes'], {
          error: 'must be runner (the runner pulls once and pushes to the nodes) or nodes',
        })
        .optional(),
    })
    .default({}),
  tests: z
    .strictObject({
      suites: z.array(z.enum(SUITES)).min(1).default(['connectivity', 'isolation']),
      'isolation-modes': z
        .array(z.enum(ISOLATION_MODES))
        .min(1)
        .default(['default', 'namespace', 'service', 'container']),
      namespaces: z
        .array(z.string().regex(K8S_NAME, { error: `must be ${K8S_NAME_RULE}` }))
        .min(2)
        .max(4)
        .default(['tenant-a', 'tenant-b']),
    })
    .default({
      suites: ['connectivity', 'isolation'],
      'isolation-modes': ['default', 'namespace', 'service', 'container'],
      namespaces: ['tenant-a', 'tenant-b'],
    }),
  health: z
    .strictObject({
      tolerate: z
        .array(
          z.strictObject({
            pod: token.optional(),
            service: token.optional(),
            state: z.enum(TOLERABLE_STATES).optional(),
            detail: z.string().min(1).max(200).optional(),
            reason: z.string().min(1),
          }),
        )
        .default([]),
    })
    .default({ tolerate: [] }),
  sites: z.array(site).min(2, { error: 'must list at least two sites' }),
});

export type SiteFile = z.infer<typeof siteFileSchema>;
export type SiteFileSite = SiteFile['sites'][number];

/** Every key the schema knows, per object path, for "did you mean" suggestions. */
export function allowedKeys(schema: z.ZodType, path: (string | number)[]): string[] {
  let cur: z.ZodType | undefined = schema;
  for (const seg of path) {
    cur = unwrap(cur);
    if (!cur) return [];
    if (typeof seg === 'number' && cur instanceof z.ZodArray) cur = cur.element as z.ZodType;
    else if (cur instanceof z.ZodObject) cur = (cur.shape as Record<string, z.ZodType>)[seg];
    else return [];
  }
  cur = unwrap(cur);
  return cur instanceof z.ZodObject ? Object.keys(cur.shape) : [];
}

function unwrap(t: z.ZodType | undefined): z.ZodType | undefined {
  let cur = t;
  while (cur instanceof z.ZodDefault || cur instanceof z.ZodOptional) {
    cur = cur.unwrap() as z.ZodType;
  }
  return cur;
}
