/**
 * `aggregate` on hand-written legs: a local pair and three cloud pairs under
 * two profiles, each state a cell can have; the markdown and JSON compared
 * with golden files (reviewed once; UPDATE_GOLDEN=1 rewrites them), the
 * comparison with a previous night, and bad input.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { aggregateCommand } from '../../src/commands/aggregate.js';
import { runCli } from '../../src/cli/cliImpl.js';
import { memoryLogger } from '../../src/log.js';
import { tempDir } from '../helpers.js';
import { writeLeg, type LegSpec } from './legs.js';
import { rmSync } from 'node:fs';

const GOLDEN = 'test/fixtures/grid';
const NOW = new Date('2026-12-07T04:00:00.000Z');
const RUN = 'https://github.com/tungsten-e2e/tungsten-e2e/actions/runs/42/job';

const LEGS: LegSpec[] = [
  { name: 'tf-local', profile: 'tf-2018', providers: ['local', 'local'], url: `${RUN}/1` },
  {
    name: 'tf-local3',
    profile: 'tf-2018',
    providers: ['local', 'local', 'local'],
    failing: ['isolation/namespace', 'isolation/service'],
    url: `${RUN}/2`,
  },
  {
    name: 'tf-aws-azure',
    profile: 'tf-2018',
    providers: ['aws', 'azure'],
    remediated: true,
    url: `${RUN}/3`,
  },
  {
    name: 'tf-aws-gcp',
    profile: 'tf-2018',
    providers: ['aws', 'gcp'],
    status: 'not-configured',
    reason: 'no GCP credentials',
  },
  {
    name: 'os-local',
    profile: 'opensdn-24',
    providers: ['local', 'local'],
    flaky: 2,
    url: `${RUN}/4`,
  },
  {
    name: 'os-aws-azure',
    profile: 'opensdn-24',
    providers: ['aws', 'azure'],
    passed: false,
    error: 'site aws not ready after 30m: aws-master control: initializing',
    url: `${RUN}/5`,
  },
];

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function aggregate(legs: LegSpec[], extra: { previous?: string } = {}) {
  const root = tempDir('te-grid-');
  dirs.push(root);
  const out: string[] = [];
  const logger = memoryLogger();
  const result = await aggregateCommand(
    {
      dirs: legs.map((l) => writeLeg(root, l)),
      out: join(root, 'grid'),
      now: NOW,
      env: {},
      ...extra,
    },
    { logger, stdout: (t) => out.push(t) },
  );
  return { ...result, out: out.join(''), root, logger };
}

const golden = (name: string, text: string) => {
  const file = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
  expect(text).toBe(readFileSync(file, 'utf8'));
};

describe('aggregate', () => {
  it('builds the grid: profiles × site pairs, each cell pass, flaky, fail, not run or not configured', async () => {
    const { grid, out, files } = await aggregate(LEGS);
    expect(grid.columns).toEqual(['local ×2', 'local ×3', 'aws + azure', 'aws + gcp']);
    expect(grid.rows.map((r) => r.profile)).toEqual(['opensdn-24', 'tf-2018']);
    const state = (profile: string, pair: string) =>
      grid.cells.find((c) => c.profile === profile && c.pair === pair)!.state;
    expect(state('tf-2018', 'local ×2')).toBe('pass');
    expect(state('tf-2018', 'local ×3')).toBe('fail');
    expect(state('tf-2018', 'aws + azure')).toBe('flaky');
    expect(state('tf-2018', 'aws + gcp')).toBe('not-configured');
    expect(state('opensdn-24', 'local ×2')).toBe('flaky');
    expect(state('opensdn-24', 'local ×3')).toBe('not-run');
    expect(state('opensdn-24', 'aws + azure')).toBe('fail');
    expect(grid.rows.find((r) => r.profile === 'tf-2018')).toEqual({
      profile: 'tf-2018',
      kubernetes: '1.10.11',
      tfTag: 'ocata-5.0.0-134',
      os: 'CentOS 7.5.1804',
    });
    expect(files.map((f) => f.split('/').pop())).toEqual(['grid.md', 'grid.json', 'grid.html']);
    golden('grid.md', out);
    // the README shows this grid (prettier pads its cells)
    const cells = (l: string) => l.replace(/\s*\|\s*/g, '|');
    const readme = readFileSync('README.md', 'utf8').split('\n').map(cells);
    for (const line of out.split('\n').filter((l) => l.startsWith('| **'))) {
      expect(readme).toContain(cells(line));
    }
    golden('grid.json', readFileSync(files[1]!, 'utf8'));
  });

  it("marks what changed since the previous night's grid", async () => {
    const first = await aggregate(LEGS);
    const previous = join(first.root, 'previous.json');
    writeFileSync(previous, readFileSync(first.files[1]!, 'utf8'));
    // tonight: the three-site local leg is green again, and the tf-2018 cloud leg turns red
    const tonight = LEGS.map((l) =>
      l.name === 'tf-local3'
        ? { ...l, failing: [] }
        : l.name === 'tf-aws-azure'
          ? { ...l, failing: ['connectivity'] }
          : l,
    );
    const { grid, out } = await aggregate(tonight, { previous });
    const changed = grid.cells
      .filter((c) => c.change)
      .map((c) => `${c.profile} ${c.pair} ${c.change}`);
    expect(changed).toEqual(['tf-2018 local ×3 newly-green', 'tf-2018 aws + azure newly-red']);
    expect(out).toContain('❌ fail (newly red): connectivity');
    expect(out).toContain('✅ pass (newly green)');
  });

  it('the first night: no previous grid is said, and every red cell is newly red', async () => {
    const { grid, logger } = await aggregate(LEGS, { previous: '/nonexistent/grid.json' });
    expect(
      grid.cells.filter((c) => c.change).map((c) => `${c.profile} ${c.pair} ${c.change}`),
    ).toEqual(['opensdn-24 aws + azure newly-red', 'tf-2018 local ×3 newly-red']);
    expect(logger.lines.join('\n')).toContain('no previous grid at /nonexistent/grid.json');
    // without --previous nothing is compared
    expect((await aggregate(LEGS)).grid.cells.some((c) => c.change)).toBe(false);
  });

  it('appends the grid to the job summary in Actions', async () => {
    const root = tempDir('te-grid-summary-');
    dirs.push(root);
    const summary = join(root, 'summary.md');
    writeFileSync(summary, '# before\n');
    await aggregateCommand(
      {
        dirs: [writeLeg(root, LEGS[0]!)],
        out: join(root, 'grid'),
        env: { GITHUB_STEP_SUMMARY: summary },
      },
      { logger: memoryLogger(), stdout: () => {} },
    );
    const text = readFileSync(summary, 'utf8');
    expect(text.startsWith('# before\n## Compatibility grid')).toBe(true);
  });

  it('bad input: one sentence naming the file and field, exit 2, nothing written', async () => {
    const root = tempDir('te-grid-bad-');
    dirs.push(root);
    const broken = writeLeg(root, LEGS[0]!);
    const results = JSON.parse(readFileSync(join(broken, 'results.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    delete results.passed;
    writeFileSync(join(broken, 'results.json'), JSON.stringify(results));
    const empty = join(root, 'empty');
    writeFileSync(join(root, 'not-a-grid.json'), '{"cells": []}');
    const cases: [string[], RegExp][] = [
      [
        [broken],
        new RegExp(
          `^error: ${broken}/results.json: field passed: expected boolean, received undefined; pass the results directory a tungsten-e2e run wrote\\.\\n$`,
        ),
      ],
      [[root + '/missing'], /not a directory; pass each leg's results directory\.\n$/],
      [[], /needs the legs' results directories/],
      [['--format', 'yaml', broken], /--format is "yaml"; it must be markdown or json/],
      [
        ['--previous', join(root, 'not-a-grid.json'), writeLeg(root, LEGS[1]!)],
        /not-a-grid\.json: field schema: .*; pass a grid\.json \(schema tungsten-e2e\/grid@1\) that aggregate wrote\.\n$/,
      ],
    ];
    for (const [args, message] of cases) {
      const err: string[] = [];
      const code = await runCli(['aggregate', '--out', empty, ...args], {
        stdout: () => {},
        stderr: (s) => err.push(s),
      });
      expect(code, err.join('')).toBe(2);
      expect(err.join('')).toMatch(message);
      expect(err.join('')).not.toMatch(/\n\s+at /);
    }
    expect(() => readFileSync(join(empty, 'grid.md'))).toThrow();
  });
});
