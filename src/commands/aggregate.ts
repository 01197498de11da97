/**
 * `tungsten-e2e aggregate [--out DIR] [--previous FILE] [--format markdown|json] DIR…`:
 * the legs of a matrix (each a results directory, see grid/legs.ts) as one
 * compatibility grid: grid.md, grid.json and grid.html in --out, the
 * markdown (or JSON) on stdout, and in Actions the markdown in the job
 * summary. With --previous (last night's grid.json) the cells that turned
 * red or green again are marked; when the previous grid does not exist (the
 * first night) that is said, and every red cell is newly red.
 */
import { appendFile } from 'node:fs/promises';
import { z } from 'zod';
import { ExitCode, InfraError, UserError, type ExitCodeValue } from '../errors.js';
import { buildGrid, compareGrids, GRID_SCHEMA, newlyRed, type Grid } from '../grid/grid.js';
import { parsed, readJson, readLeg } from '../grid/legs.js';
import { gridHtml, gridMarkdown } from '../grid/render.js';
import { upsertTrackingIssue } from '../grid/trackingIssue.js';
import { apiUrlFromEnv, runUrlFromEnv } from '../report/githubContext.js';
import type { CommandIO } from './io.js';
import { writeInto } from './outputFiles.js';

export const DEFAULT_GRID_DIR = 'tungsten-e2e-grid';
export const USAGE =
  'aggregate [--out DIR] [--previous GRID.json] [--format markdown|json] [--tracking-issue] RESULTS-DIR...';

export interface AggregateOptions {
  dirs: string[];
  out?: string;
  previous?: string;
  format?: string;
  /** open or update the tracking issue when a cell turned red (GITHUB_TOKEN, GITHUB_REPOSITORY) */
  trackingIssue?: boolean;
  env?: NodeJS.ProcessEnv;
  now?: Date;
}

export interface AggregateResult {
  exitCode: ExitCodeValue;
  grid: Grid;
  files: string[];
}

const previousSchema = z
  .object({
    schema: z.literal(GRID_SCHEMA),
    cells: z.array(z.object({ profile: z.string(), pair: z.string(), state: z.string() }).loose()),
  })
  .loose();

async function readPrevious(file: string, io: CommandIO): Promise<Grid> {
  const fix = `pass a grid.json (schema ${GRID_SCHEMA}) that aggregate wrote`;
  const raw = await readJson(file, fix);
  if (raw === undefined) {
    io.logger.info(
      `aggregate: no previous grid at ${file} (the first night?): every red cell counts as newly red`,
    );
    return { schema: GRID_SCHEMA, generatedAt: '', rows: [], columns: [], cells: [] };
  }
  return parsed(previousSchema, raw, file, fix) as unknown as Grid;
}

export async function aggregateCommand(
  options: AggregateOptions,
  io: CommandIO,
): Promise<AggregateResult> {
  const env = options.env ?? process.env;
  const format = options.format ?? 'markdown';
  const token = env.GITHUB_TOKEN;
  const repository = env.GITHUB_REPOSITORY;
  if (options.trackingIssue && (!token || !repository?.includes('/'))) {
    throw new UserError(
      'aggregate --tracking-issue needs GITHUB_TOKEN (with issues: write) and GITHUB_REPOSITORY (owner/name) in the environment.',
    );
  }
  if (format !== 'markdown' && format !== 'json') {
    throw new UserError(`aggregate: --format is "${format}"; it must be markdown or json.`);
  }
  if (options.dirs.length === 0) {
    throw new UserError(
      `aggregate needs the legs' results directories; usage: tungsten-e2e ${USAGE}`,
    );
  }
  const legs = [];
  for (const dir of options.dirs) legs.push(await readLeg(dir));
  const previous = options.previous ? await readPrevious(options.previous, io) : undefined;
  const grid = compareGrids(buildGrid(legs, options.now), previous);
  const markdown = gridMarkdown(grid);
  const json = `${JSON.stringify(grid, null, 2)}\n`;
  const out = options.out ?? DEFAULT_GRID_DIR;
  const files = await writeInto(out, '--out', {
    'grid.md': markdown,
    'grid.json': json,
    'grid.html': gridHtml(grid),
  });
  const summary = env.GITHUB_STEP_SUMMARY;
  if (summary) await appendFile(summary, `${markdown}\n`);
  io.stdout(format === 'json' ? json : markdown);
  const red = newlyRed(grid);
  io.logger.info(
    `aggregate: ${legs.length} legs, ${grid.rows.length} profiles × ${grid.columns.length} site pairs; ${red.length} newly red; ${files.join(', ')}`,
  );
  if (options.trackingIssue) {
    const runUrl = runUrlFromEnv(env);
    const tracked = await upsertTrackingIssue({
      token: token!,
      repository: repository!,
      grid,
      logger: io.logger,
      apiUrl: apiUrlFromEnv(env),
      proxyEnv: env,
      ...(runUrl ? { runUrl } : {}),
    }).catch((e: unknown) => {
      throw new InfraError(e instanceof Error ? e.message : String(e));
    });
    if (tracked.status === 'skipped')
      io.logger.info(`aggregate: tracking issue: ${tracked.reason}`);
  }
  return { exitCode: ExitCode.ok, grid, files };
}
