/**
 * Action inputs → validated values. Credentials are masked here, before any
 * other code runs, so nothing later can print them.
 */
import * as core from '@actions/core';
import { olderThanSeconds } from '../commands/janitor.js';
import { checkProfileName } from '../config/profile.js';
import {
  DURATION,
  DURATION_RULE,
  REGISTRY_USER,
  REGISTRY_USER_RULE,
  SUITES,
  TEARDOWN_POLICIES,
} from '../config/schema.js';
import type { SuiteName, TeardownPolicy } from '../config/types.js';
import { closest } from '../config/suggest.js';
import { UserError } from '../errors.js';
import { secrets } from '../log.js';
import type { PipelineEnv } from '../pipeline.js';
import { DEFAULT_RESULTS_DIR } from '../pipeline/testRun.js';
import { parseRaceRetries } from '../health/waitReady.js';
import { keysFromInputs } from '../providers/aws/credentials.js';

export const SECRET_INPUTS = [
  'github-token',
  'aws-access-key-id',
  'aws-secret-access-key',
  'aws-session-token',
  'gcp-credentials',
  'azure-credentials',
  'registry-password',
  'ssh-private-key',
] as const;

/**
 * The reusable workflow's secret for each credential input: names GitHub
 * accepts for secrets (letters, digits, underscores), the ones repositories
 * usually have, so `secrets: inherit` delivers them.
 */
export const WORKFLOW_SECRETS: Record<
  Exclude<(typeof SECRET_INPUTS)[number], 'github-token'>,
  string
> = {
  'aws-access-key-id': 'AWS_ACCESS_KEY_ID',
  'aws-secret-access-key': 'AWS_SECRET_ACCESS_KEY',
  'aws-session-token': 'AWS_SESSION_TOKEN',
  'gcp-credentials': 'GCP_CREDENTIALS',
  'azure-credentials': 'AZURE_CREDENTIALS',
  'registry-password': 'REGISTRY_PASSWORD',
  'ssh-private-key': 'SSH_PRIVATE_KEY',
};

export type ActionCommand = 'run' | 'plan' | 'janitor';

export interface ActionInputs {
  command: ActionCommand;
  sites: string;
  profile?: string;
  ttl?: string;
  suites?: SuiteName[];
  comment: boolean;
  teardown: TeardownPolicy;
  raceRetries: number;
  resultsDir: string;
  prNumber?: number;
  registryUsername?: string;
  /** janitor: also runs created longer ago than this (a duration) */
  olderThan?: string;
  /** janitor: list what would go, delete nothing */
  dryRun: boolean;
  /** run: a Markdown doc whose marked install steps replace the built-in TF apply */
  doc?: string;
  credentials: Partial<Record<(typeof SECRET_INPUTS)[number], string>>;
}

/** Register every credential input (and each line and JSON string inside it) as a secret. */
export function maskCredentialInputs(
  read: (name: string) => string = (n) => core.getInput(n),
): void {
  for (const name of SECRET_INPUTS) {
    const value = read(name);
    if (!value) continue;
    for (const part of secretParts(value)) {
      core.setSecret(part);
      secrets.add(part);
    }
  }
}

/** A JSON credential's inner strings can be printed on their own (a private key, a client secret). */
export function secretParts(value: string): string[] {
  const parts = new Set([value, ...value.split(/\r?\n/).map((l) => l.trim())]);
  try {
    const walk = (v: unknown): void => {
      if (typeof v === 'string') {
        parts.add(v);
        for (const line of v.split(/\r?\n/)) parts.add(line.trim());
      } else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(JSON.parse(value));
  } catch {
    // not JSON: the whole value and its lines are enough
  }
  return [...parts].filter(
    (p) => p.length >= 4 && !/^[{}[\],:"\s]*$/.test(p) && !PUBLIC_JSON_WORDS.has(p),
  );
}

/** Non-secret words every service-account JSON holds; masking them would blank ordinary logs. */
const PUBLIC_JSON_WORDS = new Set([
  'service_account',
  'https://oauth2.googleapis.com/token',
  'true',
  'false',
]);

export function readCredentialInputs(): ActionInputs['credentials'] {
  const credentials: ActionInputs['credentials'] = {};
  for (const name of SECRET_INPUTS) {
    const v = core.getInput(name);
    if (v) credentials[name] = v;
  }
  return credentials;
}

/** What the providers log in with; the values never reach argv, logs or files. */
export function providerCredentials(
  credentials: ActionInputs['credentials'],
): NonNullable<PipelineEnv['credentials']> {
  const awsKeys = keysFromInputs(credentials);
  const key = credentials['ssh-private-key'];
  const gcp = credentials['gcp-credentials'];
  const azure = credentials['azure-credentials'];
  const registry = credentials['registry-password'];
  return {
    ...(key ? { sshPrivateKey: key } : {}),
    ...(registry ? { registryPassword: registry } : {}),
    ...(awsKeys ? { awsKeys } : {}),
    ...(gcp ? { gcpCredentials: gcp } : {}),
    ...(azure ? { azureCredentials: azure } : {}),
  };
}

function input(name: string): string {
  return core.getInput(name).trim();
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  const guess = closest(value, allowed);
  throw new UserError(
    `action input '${name}' is "${value}"; use one of ${allowed.join(', ')}${guess ? ` (did you mean "${guess}"?)` : ''}.`,
  );
}

export function readInputs(): ActionInputs {
  const command = oneOf('command', input('command') || 'run', ['run', 'plan', 'janitor'] as const);
  const sites = core.getInput('sites');
  if (command !== 'janitor' && !sites.trim()) {
    throw new UserError(
      `action input 'sites' is empty; give the path of a site file (e.g. examples/local.yml) or the site file's YAML inline.`,
    );
  }
  const ttl = input('ttl');
  if (ttl && !DURATION.test(ttl)) {
    throw new UserError(`action input 'ttl' is "${ttl}"; it must be ${DURATION_RULE}.`);
  }
  const suitesText = input('suites');
  const suites = suitesText
    ? suitesText
        .split(/[\s,]+/)
        .filter(Boolean)
        .map((s) => oneOf('suites', s, SUITES))
    : undefined;
  const raceRetries = parseRaceRetries(input('race-retries'), "action input 'race-retries'");
  const comment = boolean('comment', true);
  const dryRun = boolean('dry-run', false);
  const olderThan = input('older-than');
  if (command !== 'janitor') {
    for (const [name, given] of [
      ['older-than', olderThan !== ''],
      ['dry-run', dryRun],
    ] as const) {
      if (given) {
        throw new UserError(
          `action input '${name}' is only for command: janitor, and the command is ${command}; remove it or set command: janitor.`,
        );
      }
    }
  }
  if (olderThan) olderThanSeconds(olderThan, "action input 'older-than'");
  const doc = input('doc');
  if (doc && command !== 'run') {
    throw new UserError(
      `action input 'doc' is only for command: run, and the command is ${command}; remove it or set command: run.`,
    );
  }
  const prText = input('pr-number');
  const prNumber = prText ? Number(prText) : undefined;
  if (prNumber !== undefined && (!Number.isInteger(prNumber) || prNumber <= 0)) {
    throw new UserError(
      `action input 'pr-number' is "${prText}"; use a pull request number like 42.`,
    );
  }
  const credentials = readCredentialInputs();
  const profile = input('profile');
  if (profile) checkProfileName(profile, "action input 'profile'");
  const registryUsername = input('registry-username');
  if (registryUsername && !REGISTRY_USER.test(registryUsername)) {
    throw new UserError(
      `action input 'registry-username' is "${registryUsername}"; it must be ${REGISTRY_USER_RULE}.`,
    );
  }
  return {
    command,
    sites,
    ...(profile ? { profile } : {}),
    ...(ttl ? { ttl } : {}),
    ...(suites ? { suites } : {}),
    comment,
    teardown: oneOf('teardown', input('teardown') || 'always', TEARDOWN_POLICIES),
    raceRetries,
    resultsDir: input('results-dir') || DEFAULT_RESULTS_DIR,
    ...(prNumber ? { prNumber } : {}),
    ...(registryUsername ? { registryUsername } : {}),
    ...(olderThan ? { olderThan } : {}),
    dryRun,
    ...(doc ? { doc } : {}),
    credentials,
  };
}

/** A true/false input; empty means `fallback`. */
function boolean(name: string, fallback: boolean): boolean {
  const text = input(name).toLowerCase();
  if (text === '') return fallback;
  if (text === 'true' || text === 'false') return text === 'true';
  throw new UserError(`action input '${name}' is "${input(name)}"; use true or false.`);
}

/**
 * Said once per run when a registry-password is given to a run of local
 * sites: only the tungsten fabric (cloud and static sites) pulls images.
 * Undefined otherwise.
 */
export function registryPasswordNote(
  inputs: ActionInputs,
  localSites: boolean,
): string | undefined {
  if (!inputs.credentials['registry-password'] || !localSites) return undefined;
  return `action input 'registry-password' is not used in this run: its sites are local, and the emulated fabric of local sites pulls no images; the password is for the tungsten fabric's image pulls on cloud and static sites.`;
}
