/**
 * The compatibility grid: rows are version profiles (with their versions),
 * columns site pairs, each cell the verdict of the legs that ran there. Its
 * JSON form (GRID_SCHEMA) is what a later night compares against.
 */
import { listProfiles, loadProfile } from '../config/profile.js';
import type { Leg } from './legs.js';

export const GRID_SCHEMA = 'tungsten-e2e/grid@1';

/**
 * pass: every check passed first time, no remediation; flaky: passed only
 * after retries or a remediation; fail: a check failed or the run stopped.
 */
export type CellState = 'pass' | 'flaky' | 'fail' | 'not-run' | 'not-configured';
/** against the previous night's grid */
export type CellChange = 'newly-red' | 'newly-green';

export interface GridLeg {
  state: CellState;
  runId?: string;
  url?: string;
  /** "connectivity", "isolation / namespace", or "stopped: <why>" */
  failing: string[];
  reason?: string;
}

export interface GridCell {
  profile: string;
  pair: string;
  state: CellState;
  change?: CellChange;
  legs: GridLeg[];
}

export interface GridRow {
  profile: string;
  kubernetes?: string;
  tfTag?: string;
  os?: string;
}

export interface Grid {
  schema: typeof GRID_SCHEMA;
  generatedAt: string;
  rows: GridRow[];
  columns: string[];
  /** row-major: cells[i * columns.length + j] */
  cells: GridCell[];
}

/** worst first: a cell with legs in several states shows the worst */
const SEVERITY: CellState[] = ['fail', 'flaky', 'pass', 'not-run', 'not-configured'];

function legState(leg: Leg): CellState {
  if (leg.status) return leg.status;
  const r = leg.results!;
  if (!r.passed) return 'fail';
  if (r.totals.flaky > 0 || r.remediations.length > 0) return 'flaky';
  return 'pass';
}

function failing(leg: Leg): string[] {
  const r = leg.results;
  if (!r) return [];
  const suites = [
    ...new Set(
      r.checks
        .filter((c) => c.status === 'fail' || c.status === 'error')
        .map((c) => (c.mode ? `${c.suite} / ${c.mode}` : c.suite)),
    ),
  ];
  if (r.error) suites.push(`stopped: ${r.error.split('\n')[0]!.slice(0, 160)}`);
  return suites;
}

function row(profile: string, legs: readonly Leg[]): GridRow {
  const ran = legs.find((l) => l.profile === profile && l.results)?.results;
  let os: string | undefined;
  let kubernetes = ran?.versions.kubernetes;
  let tfTag = ran?.versions.tfTag;
  if (listProfiles().includes(profile)) {
    const p = loadProfile(profile);
    os = `${p.os.distro} ${p.os.release}`;
    kubernetes ??= p.kubernetes.version;
    tfTag ??= p.tf.tag;
  }
  return {
    profile,
    ...(kubernetes ? { kubernetes } : {}),
    ...(tfTag ? { tfTag } : {}),
    ...(os ? { os } : {}),
  };
}

const ordered = (values: Iterable<string>, first: (v: string) => number) =>
  [...new Set(values)].sort((a, b) => first(a) - first(b) || a.localeCompare(b));

export function buildGrid(legs: readonly Leg[], now = new Date()): Grid {
  // local columns first, by site count; then clouds alphabetically
  const columns = ordered(
    legs.map((l) => l.pair),
    (p) => (p.startsWith('local') ? 0 : 1),
  );
  const rows = ordered(
    legs.map((l) => l.profile),
    () => 0,
  ).map((p) => row(p, legs));
  const cells: GridCell[] = [];
  for (const r of rows) {
    for (const pair of columns) {
      const here = legs.filter((l) => l.profile === r.profile && l.pair === pair);
      const gridLegs: GridLeg[] = here.map((l) => ({
        state: legState(l),
        ...(l.results ? { runId: l.results.runId } : {}),
        ...(l.url ? { url: l.url } : {}),
        failing: failing(l),
        ...(l.reason ? { reason: l.reason } : {}),
      }));
      const state =
        SEVERITY.find((s) => gridLegs.some((g) => g.state === s)) ?? ('not-run' as const);
      cells.push({ profile: r.profile, pair, state, legs: gridLegs });
    }
  }
  return { schema: GRID_SCHEMA, generatedAt: now.toISOString(), rows, columns, cells };
}

const red = (s: CellState | undefined) => s === 'fail';
const green = (s: CellState | undefined) => s === 'pass' || s === 'flaky';

/** Marks what changed since `previous`: a cell that turned red, or green again. */
export function compareGrids(grid: Grid, previous: Grid | undefined): Grid {
  if (!previous) return grid;
  const before = new Map(previous.cells.map((c) => [`${c.profile}\0${c.pair}`, c.state]));
  return {
    ...grid,
    cells: grid.cells.map((c) => {
      const was = before.get(`${c.profile}\0${c.pair}`);
      const { change: _old, ...rest } = c;
      if (red(c.state) && !red(was)) return { ...rest, change: 'newly-red' };
      if (green(c.state) && red(was)) return { ...rest, change: 'newly-green' };
      return rest;
    }),
  };
}

/** Cells that turned red since the previous grid (what the tracking issue reports). */
export function newlyRed(grid: Grid): GridCell[] {
  return grid.cells.filter((c) => c.change === 'newly-red');
}
