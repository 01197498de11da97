/**
 * The legs of a compatibility matrix, as `aggregate` reads them: each leg is
 * a directory holding its run's results.json and, optionally, leg.json, which
 * the workflow writes to say what the leg is when the results cannot (a leg
 * skipped for want of credentials has no results) and where its run is:
 *
 *   { "profile": "tf-2018", "pair": "aws + azure", "url": "https://…",
 *     "status": "not-configured", "reason": "no AWS_ROLE_ARN" }
 *
 * Everything but `profile` (for a leg without results) is optional.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.js';

export const RESULTS_FILE = 'results.json';
export const LEG_FILE = 'leg.json';

const legFileSchema = z.strictObject({
  profile: z.string().min(1).optional(),
  pair: z.string().min(1).optional(),
  url: z.url().optional(),
  status: z.enum(['not-configured', 'not-run']).optional(),
  reason: z.string().optional(),
});
export type LegFile = z.infer<typeof legFileSchema>;

/** Only what the grid reads of results.json (report/model.ts); the rest may change freely. */
const resultsSchema = z.object({
  runId: z.string(),
  passed: z.boolean(),
  profile: z.string(),
  versions: z.object({ kubernetes: z.string(), tfTag: z.string() }).loose(),
  sites: z.array(z.object({ name: z.string(), provider: z.string() }).loose()).min(1),
  remediations: z.array(z.object({ resolved: z.boolean() }).loose()),
  checks: z.array(
    z.object({ suite: z.string(), mode: z.string().nullable(), status: z.string() }).loose(),
  ),
  totals: z.object({ pass: z.number(), fail: z.number(), flaky: z.number() }).loose(),
  error: z.string().optional(),
});
type GridResults = z.infer<typeof resultsSchema>;

export interface Leg {
  /** the directory it was read from */
  dir: string;
  profile: string;
  /** the column: "local ×2", "aws + azure" */
  pair: string;
  url?: string;
  /** absent: the leg ran and has results */
  status?: 'not-configured' | 'not-run';
  reason?: string;
  results?: GridResults;
}

/** The column a run belongs in: its sites' providers; local runs by their site count. */
export function pairOf(sites: readonly { provider: string }[]): string {
  if (sites.every((s) => s.provider === 'local')) return `local ×${sites.length}`;
  return sites.map((s) => s.provider).join(' + ');
}

/** A JSON file's data; undefined when there is no such file; anything else one sentence with `fix`. */
export async function readJson(file: string, fix: string): Promise<unknown | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code}).`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new UserError(`${file}: not valid JSON (${why}); ${fix}.`);
  }
}

/** The file's data as the schema reads it, or one sentence naming the file, the field and the fix. */
export function parsed<T>(schema: z.ZodType<T>, raw: unknown, file: string, fix: string): T {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.length ? issue.path.join('.') : '(the whole file)';
  const message = issue.message.replace(/^Invalid (input|option): /, '');
  throw new UserError(`${file}: field ${field}: ${message}; ${fix}.`);
}

/** One leg from its directory; bad input is one sentence naming the file and field. */
export async function readLeg(dir: string): Promise<Leg> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new UserError(`${dir}: not a directory; pass each leg's results directory.`);
  }
  const legPath = join(dir, LEG_FILE);
  const resultsPath = join(dir, RESULTS_FILE);
  const fix = "pass the leg's results directory";
  const [legRaw, resultsRaw] = await Promise.all([
    readJson(legPath, fix),
    readJson(resultsPath, fix),
  ]);
  if (legRaw === undefined && resultsRaw === undefined) {
    throw new UserError(
      `${dir}: has neither ${RESULTS_FILE} nor ${LEG_FILE}; pass each leg's results directory.`,
    );
  }
  const leg: LegFile =
    legRaw === undefined
      ? {}
      : parsed(
          legFileSchema,
          legRaw,
          legPath,
          'see README, "The compatibility grid", for its fields',
        );
  const results =
    resultsRaw === undefined || leg.status !== undefined
      ? undefined
      : parsed(
          resultsSchema,
          resultsRaw,
          resultsPath,
          'pass the results directory a tungsten-e2e run wrote',
        );
  const profile = leg.profile ?? results?.profile;
  const pair = leg.pair ?? (results ? pairOf(results.sites) : undefined);
  if (!profile || !pair) {
    throw new UserError(
      `${legPath}: field ${profile ? 'pair' : 'profile'}: required for a leg without ${RESULTS_FILE}.`,
    );
  }
  return {
    dir,
    profile,
    pair,
    ...(leg.url ? { url: leg.url } : {}),
    ...(leg.status ? { status: leg.status } : results ? {} : { status: 'not-run' as const }),
    ...(leg.reason ? { reason: leg.reason } : {}),
    ...(results ? { results } : {}),
  };
}
