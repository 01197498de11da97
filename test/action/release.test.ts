/**
 * The release's notes come from the CHANGELOG section of the tag's version
 * (scripts/changelog-section.mjs, which release.yml runs): the section's
 * lines only, and a version without a section is refused, naming it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';

const section = (version: string, file: string) =>
  spawnSync(process.execPath, ['scripts/changelog-section.mjs', version, file], {
    encoding: 'utf8',
  });

describe('release', () => {
  it("prints one version's section of the changelog; refuses a version without one", () => {
    const file = join(tempDir('te-changelog-'), 'CHANGELOG.md');
    writeFileSync(
      file,
      '# Changelog\n\n## Unreleased\n\n- next\n\n## 1.2.0\n\n### Added\n\n- tunnels\n\n## 1.1.0\n\n- older\n',
    );
    const r = section('1.2.0', file);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('### Added\n\n- tunnels\n');
    const last = section('1.1.0', file);
    expect(last.stdout).toBe('- older\n');
    const none = section('1.3.0', file);
    expect(none.status).toBe(1);
    expect(none.stderr).toBe(
      `${file} has no "## 1.3.0" section; add the release's changes under that heading.\n`,
    );
    expect(section('v1', file).status).toBe(2);
  });

  it('runs on version tags, checks the tag against package.json, moves the major tag', () => {
    const wf = parse(readFileSync('.github/workflows/release.yml', 'utf8')) as {
      on: { push: { tags: string[] } };
      jobs: { release: { steps: { run?: string }[] } };
    };
    expect(wf.on.push.tags).toEqual(['v[0-9]+.[0-9]+.[0-9]+']);
    const runs = wf.jobs.release.steps.map((s) => s.run ?? '').join('\n');
    expect(runs).toContain('require("./package.json").version');
    expect(runs).toContain('scripts/changelog-section.mjs');
    expect(runs).toContain('.ci/run');
    expect(runs).toContain('git push -f origin "refs/tags/$major"');
  });
});
