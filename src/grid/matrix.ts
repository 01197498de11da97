/**
 * The nightly's legs from one data file and the profiles: every profile
 * against each local site file and each cloud pair. A cloud leg is
 * configured when every cloud it needs has credentials (the workflow says
 * so through HAS_AWS, HAS_GCP, HAS_AZURE = "true"); the others stay in the
 * matrix, marked, so the grid shows them as not configured instead of
 * leaving them out.
 *
 *   local: [examples/local.yml, examples/local-three.yml]
 *   clouds:
 *     - { sites: examples/aws-azure.yml, needs: [aws, azure] }
 */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { loadSiteFile } from '../config/load.js';
import { listProfiles } from '../config/profile.js';
import { UserError } from '../errors.js';
import { pairOf } from './legs.js';

const CLOUDS = ['aws', 'gcp', 'azure'] as const;
type Cloud = (typeof CLOUDS)[number];

/** how the workflow tells which clouds have credentials */
export const CONFIGURED_ENV: Record<Cloud, string> = {
  aws: 'HAS_AWS',
  gcp: 'HAS_GCP',
  azure: 'HAS_AZURE',
};

const dataSchema = z.strictObject({
  local: z.array(z.string().min(1)).default([]),
  clouds: z
    .array(z.strictObject({ sites: z.string().min(1), needs: z.array(z.enum(CLOUDS)).min(1) }))
    .default([]),
});

export interface MatrixLeg {
  /** unique, safe in an artifact name: "tf-2018-local-x2", "opensdn-24-aws-azure" */
  id: string;
  profile: string;
  sites: string;
  pair: string;
  local: boolean;
  configured: boolean;
  reason?: string;
}

async function readData(file: string): Promise<z.infer<typeof dataSchema>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UserError(`--legs ${file}: cannot be read (${(e as NodeJS.ErrnoException).code}).`);
  }
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new UserError(
      `${file}:${e.linePos?.[0]?.line ?? 1}: not valid YAML (${e.message.split('\n')[0]}).`,
    );
  }
  const parsed = dataSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const node = doc.getIn(issue.path as (string | number)[], true) as
      { range?: [number, number, number] } | undefined;
    const line = node?.range ? text.slice(0, node.range[0]).split('\n').length : 1;
    throw new UserError(
      `${file}:${line}: field ${issue.path.join('.') || '(the whole file)'}: ${issue.message.replace(/^Invalid (input|option): /, '')}; it lists local site files and clouds: [{ sites, needs: [aws|gcp|azure] }].`,
    );
  }
  return parsed.data;
}

const idPart = (s: string) => s.replace(/×/g, 'x').replace(/[^A-Za-z0-9.]+/g, '-');

export async function nightlyMatrix(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  profiles: readonly string[] = listProfiles(),
): Promise<MatrixLeg[]> {
  const data = await readData(file);
  const sitesOf = async (path: string) => {
    const config = await loadSiteFile(path);
    return config.sites.map((s) => ({ provider: s.provider }));
  };
  const legs: MatrixLeg[] = [];
  for (const profile of profiles) {
    for (const sites of data.local) {
      const pair = pairOf(await sitesOf(sites));
      legs.push({
        id: `${profile}-${idPart(pair)}`,
        profile,
        sites,
        pair,
        local: true,
        configured: true,
      });
    }
    for (const cloud of data.clouds) {
      const pair = pairOf(await sitesOf(cloud.sites));
      const missing = cloud.needs.filter((c) => env[CONFIGURED_ENV[c]] !== 'true');
      legs.push({
        id: `${profile}-${idPart(pair)}`,
        profile,
        sites: cloud.sites,
        pair,
        local: false,
        configured: missing.length === 0,
        ...(missing.length ? { reason: `no credentials for ${missing.join(', ')}` } : {}),
      });
    }
  }
  const seen = new Set<string>();
  for (const l of legs) {
    if (seen.has(l.id)) {
      throw new UserError(
        `${file}: two legs of profile ${l.profile} are both "${l.pair}"; list each site pair once.`,
      );
    }
    seen.add(l.id);
  }
  return legs;
}
