/**
 * `aggregate` on the results of real local runs made here: a passing run
 * (tf-2018, two sites), a leak-isolation run (tf-2018, three sites: the
 * namespace mode's denies leak) and a remediated race (opensdn-24, two
 * sites: the control pod deleted once), which must come out pass, fail and
 * flaky in three cells. The HTML grid is then rendered by headless Chromium
 * (Debian's chromium-headless-shell): every cell's words are in the rendered
 * page, and a screenshot is written next to it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { aggregateCommand } from '../../src/commands/aggregate.js';
import { runCommand } from '../../src/commands/run.js';
import { cellWords } from '../../src/grid/render.js';
import { memoryLogger } from '../../src/log.js';
import { findTool } from '../../src/providers/local/preflight.js';
import { needsTool } from '../support/requirements.js';
import { IS_ROOT, noteSkip, removeScratch, scratch, siteFile, testLogger } from './helpers.js';

noteSkip('local provider, the compatibility grid');
/** Debian's headless shell; else a full Chromium or Chrome (GitHub's Ubuntu runners ship Chrome) */
const chromium = ['chromium-headless-shell', 'chromium', 'google-chrome']
  .map((t) => findTool(t))
  .find(Boolean);
const noChromium = chromium
  ? undefined
  : needsTool(
      'the grid rendered in headless Chromium',
      'chromium-headless-shell',
      'chromium-headless-shell',
    );

const LEGS = [
  { name: 'pass', profile: 'tf-2018', sites: ['east', 'west'], fault: undefined },
  { name: 'leak', profile: 'tf-2018', sites: ['east', 'west', 'north'], fault: 'leak-isolation' },
  { name: 'race', profile: 'opensdn-24', sites: ['east', 'west'], fault: 'control-race' },
] as const;

describe.skipIf(!IS_ROOT)('the compatibility grid from real local runs', () => {
  afterAll(removeScratch);
  const root = scratch('te-grid-legs-');
  const dirs: string[] = [];

  it('three runs: pass, leak-isolation, remediated race', async () => {
    for (const leg of LEGS) {
      const file = siteFile(
        leg.sites.map((name, i) => ({
          name,
          workers: 0,
          ...(leg.fault && i === 0 ? { faults: [leg.fault] } : {}),
        })),
        `profile: ${leg.profile}\ntests: { suites: [connectivity, isolation], isolation-modes: [namespace] }`,
      );
      const dir = join(root, leg.name);
      const report = await runCommand(
        { sites: file, resultsDir: dir, stateDir: join(root, `state-${leg.name}`) },
        { logger: testLogger(), stdout: () => {} },
      );
      expect(report.teardown?.complete, leg.name).toBe(true);
      expect(report.exitCode, leg.name).toBe(leg.name === 'leak' ? 1 : 0);
      dirs.push(dir);
    }
  }, 300_000);

  it('aggregates them into pass, fail and flaky cells, and Chromium renders every cell', async () => {
    expect(dirs).toHaveLength(3);
    const out: string[] = [];
    const { grid, files } = await aggregateCommand(
      { dirs, out: join(root, 'grid'), env: {} },
      { logger: memoryLogger(), stdout: (t) => out.push(t) },
    );
    const state = (profile: string, pair: string) =>
      grid.cells.find((c) => c.profile === profile && c.pair === pair)?.state;
    expect(state('tf-2018', 'local ×2')).toBe('pass');
    expect(state('tf-2018', 'local ×3')).toBe('fail');
    expect(state('opensdn-24', 'local ×2')).toBe('flaky');
    expect(state('opensdn-24', 'local ×3')).toBe('not-run');
    const leak = grid.cells.find((c) => c.state === 'fail')!;
    expect(leak.legs[0]!.failing).toEqual(['isolation / namespace']);
    expect(out.join('')).toContain('❌ fail: isolation / namespace');
    if (noChromium) return;
    const html = files.find((f) => f.endsWith('grid.html'))!;
    const flags = ['--no-sandbox', '--disable-gpu', '--headless'];
    const dom = execFileSync(chromium!, [...flags, '--dump-dom', `file://${html}`], {
      encoding: 'utf8',
      timeout: 60_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    for (const c of grid.cells) {
      const words = cellWords(c).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      expect(dom, `${c.profile} ${c.pair}`).toContain(words);
    }
    const png = join(root, 'grid', 'grid.png');
    execFileSync(
      chromium!,
      [...flags, `--screenshot=${png}`, '--window-size=1100,400', `file://${html}`],
      { timeout: 60_000, stdio: 'ignore' },
    );
    expect(existsSync(png) && statSync(png).size > 1000).toBe(true);
  }, 120_000);
});
