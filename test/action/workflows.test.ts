/**
 * Our conventions for every workflow in .github/workflows: a timeout on
 * every job; top-level permissions read-only, anything more granted per job;
 * a concurrency group where overlapping runs hurt (the PR gate, which
 * comments; the nightly, which uses the cloud accounts); cleanup steps that
 * run `if: always()`; every action pinned by a full commit SHA with its
 * version in a comment (dependabot moves both). The real validators run in
 * validator.test.ts: these are our rules on top of them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

interface Job {
  'timeout-minutes'?: number;
  permissions?: Record<string, string>;
  uses?: string;
  steps?: { uses?: string; if?: string; with?: Record<string, unknown> }[];
}
interface Workflow {
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  jobs: Record<string, Job>;
}

const DIR = '.github/workflows';
const workflows = readdirSync(DIR)
  .filter((f) => f.endsWith('.yml'))
  .map((f) => ({ file: f, wf: parse(readFileSync(join(DIR, f), 'utf8')) as Workflow }));

/** A permissions map that grants nothing beyond reading. */
const readOnly = (p: Record<string, string> | undefined) =>
  p === undefined || Object.values(p).every((v) => v === 'read' || v === 'none');

/** `uses:` lines that are not a local action and not pinned as `owner/repo@<40 hex> # vX.Y.Z`. */
const unpinned = (source: string) =>
  source
    .split('\n')
    .map((line, i) => ({ line: i + 1, text: line.trim() }))
    .filter(({ text }) => /^(- )?uses: /.test(text))
    .filter(({ text }) => !/uses: \.\//.test(text))
    .filter(({ text }) => !/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/.test(text))
    .map(({ line, text }) => `${line}: ${text}`);

describe('workflows', () => {
  it('every action is pinned by commit SHA, its version in a comment', () => {
    const bad = readdirSync(DIR)
      .filter((f) => f.endsWith('.yml'))
      .flatMap((f) => unpinned(readFileSync(join(DIR, f), 'utf8')).map((u) => `${f}:${u}`));
    expect(bad).toEqual([]);
    // the controls: a moving tag, a short SHA and a SHA without its version are caught
    expect(unpinned('      - uses: actions/checkout@v7\n')).toHaveLength(1);
    expect(unpinned('      - uses: actions/checkout@3d3c42e\n')).toHaveLength(1);
    expect(
      unpinned('      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1\n'),
    ).toHaveLength(1);
    expect(unpinned('        uses: ./.tungsten-e2e-action\n')).toHaveLength(0);
  });

  it('every job has a timeout', () => {
    const missing = workflows.flatMap(({ file, wf }) =>
      Object.entries(wf.jobs)
        .filter(([, job]) => job['timeout-minutes'] === undefined && !job.uses)
        .map(([name]) => `${file}: ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('top-level permissions read only; a job that writes says so itself', () => {
    for (const { file, wf } of workflows) {
      expect(readOnly(wf.permissions), `${file}: top-level permissions`).toBe(true);
    }
    // the control: the gate's old top-level pull-requests: write is caught
    expect(readOnly({ contents: 'read', 'pull-requests': 'write' })).toBe(false);
  });

  it('the PR gate and the nightly have concurrency groups', () => {
    const of = (file: string) => workflows.find((w) => w.file === file)!.wf.concurrency;
    expect(of('docs-gate.yml')?.group).toContain('github.event.pull_request.number');
    expect(of('docs-gate.yml')?.['cancel-in-progress']).toBe(true);
    // a nightly's cloud runs are never cancelled half way by the next one: it waits
    expect(of('nightly.yml')).toEqual({ group: 'nightly', 'cancel-in-progress': false });
  });

  it('uploads and cleanup run whatever happened before them', () => {
    const bad = workflows.flatMap(({ file, wf }) =>
      Object.entries(wf.jobs).flatMap(([name, job]) =>
        (job.steps ?? [])
          .filter((s) => s.uses?.startsWith('actions/upload-artifact') && s.if !== 'always()')
          .map(() => `${file}: ${name}`),
      ),
    );
    expect(bad).toEqual([]);
  });
});
