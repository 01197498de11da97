import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { BUNDLE, runBundle } from '../bundle.js';
import * as helpers from '../helpers.js';

// temporary directories from tempDir/writeTemp are removed after the file (test/support/tempCleanup.ts)
const { tempDir, writeTemp } = helpers;

describe('tungsten-e2e CLI (bundled)', () => {
  it('plan prints the table for the local example', () => {
    const r = runBundle('cli', ['plan', '--sites', 'examples/local.yml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('site east (local)');
    expect(r.stdout).toContain('site west (local)');
    expect(r.stdout).toMatch(/asn {8}64513, router id 172\.16\.1\.10/);
  });

  it('plan prints the table and valid JSON of the documented shape for every example file', () => {
    const files = readdirSync('examples').filter((f) => f.endsWith('.yml'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) {
      const table = runBundle('cli', ['plan', '--sites', `examples/${f}`]);
      expect(table.code, `${f}: ${table.stderr}`).toBe(0);
      const r = runBundle('cli', ['plan', '--sites', `examples/${f}`, '--json']);
      expect(r.code, `${f}: ${r.stderr}`).toBe(0);
      const json = JSON.parse(r.stdout) as {
        sites: { name: string; peers: { site: string; asn: number }[] }[];
      };
      expect(json.sites.length).toBeGreaterThanOrEqual(2);
      for (const s of json.sites) {
        expect(table.stdout).toContain(`site ${s.name} (`);
        expect(s).toEqual(
          expect.objectContaining({
            name: expect.any(String),
            provider: expect.any(String),
            asn: expect.any(Number),
            routerId: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/),
            gateway: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/),
            cidrs: {
              underlay: expect.any(String),
              pod: expect.any(String),
              service: expect.any(String),
              ipFabric: expect.any(String),
            },
          }),
        );
        // full mesh: every other site once, with its ASN
        expect(s.peers.map((p) => p.site).sort()).toEqual(
          json.sites
            .map((o) => o.name)
            .filter((n) => n !== s.name)
            .sort(),
        );
        for (const p of s.peers) expect(p.asn).toEqual(expect.any(Number));
      }
    }
  });

  it('plan --json prints exactly the documented shape', () => {
    const r = runBundle('cli', ['plan', '--sites', 'examples/aws-azure.yml', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.sites.map((s: { name: string }) => s.name)).toEqual(['aws', 'azure']);
    expect(json.sites[0]).toMatchObject({
      name: 'aws',
      provider: 'aws',
      asn: 64512,
      routerId: '172.16.0.10',
      gateway: '172.16.0.1',
      cidrs: {
        underlay: '172.16.0.0/24',
        pod: '10.32.0.0/12',
        service: '10.96.0.0/12',
        ipFabric: '10.64.0.0/12',
      },
      peers: [{ site: 'azure', asn: 64513 }],
    });
  });

  it('exits 2 naming both sites, fields and lines for overlapping ranges', () => {
    const file = writeTemp(
      'overlap.yml',
      `sites:
  - name: east
    provider: local
    cidrs:
      pod: 10.32.0.0/12
  - name: west
    provider: local
    cidrs:
      pod: 10.40.0.0/16
`,
    );
    const r = runBundle('cli', ['plan', '--sites', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `error: ${file}:9:12: sites[1].cidrs.pod 10.40.0.0/16 (site "west") overlaps sites[0].cidrs.pod 10.32.0.0/12 (site "east", line 5); ranges must not overlap within or across sites, so change one of them or remove it to have one chosen.`,
    );
    expect(r.stdout).toBe('');
  });

  it('exits 2 with every overlap of one file, each naming both sites, both fields and both lines', () => {
    // west's four ranges each fall inside a different kind of east's
    const file = writeTemp(
      'overlaps.yml',
      `sites:
  - name: east
    provider: local
    cidrs:
      underlay: 172.20.0.0/24
      pod: 10.32.0.0/12
      service: 10.96.0.0/12
      ip-fabric: 10.64.0.0/12
  - name: west
    provider: local
    cidrs:
      underlay: 10.40.0.0/24
      pod: 10.100.0.0/16
      service: 10.70.0.0/16
      ip-fabric: 172.20.0.128/25
`,
    );
    const r = runBundle('cli', ['plan', '--sites', file, '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const tail =
      'ranges must not overlap within or across sites, so change one of them or remove it to have one chosen.';
    expect(r.stderr.trim().split('\n')).toEqual([
      `error: ${file}:12:17: sites[1].cidrs.underlay 10.40.0.0/24 (site "west") overlaps sites[0].cidrs.pod 10.32.0.0/12 (site "east", line 6); ${tail}`,
      `error: ${file}:13:12: sites[1].cidrs.pod 10.100.0.0/16 (site "west") overlaps sites[0].cidrs.service 10.96.0.0/12 (site "east", line 7); ${tail}`,
      `error: ${file}:14:16: sites[1].cidrs.service 10.70.0.0/16 (site "west") overlaps sites[0].cidrs.ip-fabric 10.64.0.0/12 (site "east", line 8); ${tail}`,
      `error: ${file}:15:18: sites[1].cidrs.ip-fabric 172.20.0.128/25 (site "west") overlaps sites[0].cidrs.underlay 172.20.0.0/24 (site "east", line 5); ${tail}`,
    ]);
  });

  it.each([
    [
      'bad indentation',
      'sites:\n  - name: east\n    provider: local\n   nodes: 2\n',
      /:\d+:\d+: the file is not valid YAML/,
    ],
    [
      'wrong type',
      'sites:\n  - name: east\n    provider: local\n    asn: lots\n  - name: w\n    provider: local\n',
      /:4:10: sites\[0\]\.asn must be a number, not "lots"\./,
    ],
    [
      'unknown key',
      'sites:\n  - name: east\n    provider: local\n    colour: red\n  - name: w\n    provider: local\n',
      /:4:5: unknown key "colour" in sites\[0\]/,
    ],
    [
      'shell metacharacters',
      'sites:\n  - name: "e$(id)"\n    provider: local\n  - name: w\n    provider: local\n',
      /:2:11: sites\[0\]\.name is "e\$\(id\)"/,
    ],
  ])('exits 2 with the position for %s, and no stack trace', (_label, text, pattern) => {
    const r = runBundle('cli', ['plan', '--sites', writeTemp('bad.yml', text)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('renders a manifest per site into --out', () => {
    const out = tempDir();
    const r = runBundle('cli', [
      'plan',
      '--sites',
      'examples/local.yml',
      '--manifest',
      'test/fixtures/manifests/tf-2018-single-step.yaml',
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('renders for 2 sites with no placeholder left');
    const west = readFileSync(join(out, 'west', 'tf.yaml'), 'utf8');
    expect(west).toContain('VROUTER_GATEWAY: "172.16.1.1"');
    expect(west).toContain('KUBERNETES_POD_SUBNETS: "10.128.0.0/16"');
    expect(existsSync(join(out, 'east', 'kubeadm.yaml'))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')).sites).toHaveLength(2);
  });

  it('plan --out into a path it cannot write: one sentence naming --out, exit 2, no stack', () => {
    const dir = tempDir('te-out-');
    try {
      const file = join(dir, 'not-a-dir');
      writeFileSync(file, 'a file where a directory should be\n');
      for (const out of [file, join(file, 'plans')]) {
        const r = runBundle('cli', ['plan', '--sites', 'examples/local.yml', '--out', out]);
        expect(r.code).toBe(2);
        expect(r.stderr).toBe(
          `error: --out ${out}: cannot write ${join(out, 'east')} (a part of the path is a file, not a directory); choose a directory you can write to.\n`,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown --profile and a bad --race-retries by the flag, exit 2, before anything runs', () => {
    const plan = runBundle('cli', ['plan', '--sites', 'examples/local.yml', '--profile', 'tf2018']);
    expect(plan.code).toBe(2);
    expect(plan.stderr).toBe(
      'error: --profile is "tf2018", which is not a version profile; use one of opensdn-24, tf-2018 (did you mean "tf-2018"?).\n',
    );
    for (const [command, extra] of [
      ['up', ['--state', '/nonexistent/te-state']],
      ['run', []],
    ] as const) {
      const r = runBundle('cli', [
        command,
        '--sites',
        'examples/aws-azure.yml',
        ...extra,
        '--race-retries',
        'many',
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        'error: --race-retries is "many"; use a whole number from 0 to 10 (default 3).\n',
      );
    }
  });

  it('a broken or missing shipped profile is an installation problem: exit 3, one sentence, no stack', () => {
    // the program as installed elsewhere: its bundle, and profiles/ beside it (or not)
    const install = tempDir('te-install-');
    try {
      cpSync(BUNDLE, join(install, 'dist'), { recursive: true });
      const cli = (args: string[]) =>
        spawnSync(process.execPath, [join(install, 'dist', 'cli.js'), ...args], {
          encoding: 'utf8',
          timeout: 60_000,
        });
      const missing = cli(['plan', '--sites', 'examples/local.yml']);
      expect(missing.status).toBe(3);
      expect(missing.stderr).toMatch(
        /^error: the version profiles \(profiles\/tf-2018\.yaml\) were not found in \S+ or the folders above it; the tungsten-e2e installation is incomplete or was edited: reinstall it \(or restore the file from the release\)\.\n$/,
      );

      const profiles = join(install, 'profiles');
      mkdirSync(profiles);
      const good = readFileSync('profiles/tf-2018.yaml', 'utf8');
      const cases: [string, string][] = [
        [
          good.replace(/^name: tf-2018$/m, 'name: tf-2019'),
          'names itself "tf-2019" instead of "tf-2018"',
        ],
        [good.replace(/^description: .*$/m, 'description: [unclosed'), 'is not valid YAML ('],
        [good.replace(/^ {2}tag: .*$/m, '  tag: 2018'), 'is invalid at tf.tag ('],
      ];
      for (const [text, what] of cases) {
        writeFileSync(join(profiles, 'tf-2018.yaml'), text);
        const r = cli(['plan', '--sites', 'examples/local.yml']);
        expect(r.status).toBe(3);
        expect(r.stderr.split('\n')).toHaveLength(2); // one line, then the end
        expect(r.stderr).toContain(`error: the version profile ${join(profiles, 'tf-2018.yaml')} `);
        expect(r.stderr).toContain(what);
        expect(r.stderr).toContain('the tungsten-e2e installation is incomplete or was edited');
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
    } finally {
      rmSync(install, { recursive: true, force: true });
    }
  });

  it('janitor refuses a bad --older-than with the flag and the rule, exit 2, before touching anything', () => {
    const r = runBundle('cli', ['janitor', '--dry-run', '--older-than', 'yesterday']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: --older-than is "yesterday"; it must be a duration like 3h, 90m or 1h30m (units d, h, m, s), more than zero.\n',
    );
  });

  it('suggests the right command or flag', () => {
    expect(runBundle('cli', ['plna']).stderr).toContain('did you mean "plan"?');
    const r = runBundle('cli', ['plan', '--site', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown option --site; did you mean --sites? Usage: ');
    const far = runBundle('cli', ['plan', '--sites', 'examples/local.yml', '--bogus']);
    expect(far.code).toBe(2);
    expect(far.stderr).toMatch(
      /^error: tungsten-e2e plan: unknown option --bogus\. Usage: tungsten-e2e plan --sites FILE .*\n$/,
    );
  });

  it('lists profiles and prints help', () => {
    expect(runBundle('cli', ['profiles']).stdout).toBe('opensdn-24\ntf-2018\n');
    const help = runBundle('cli', ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(
      'exit codes: 0 success, 1 checks failed, 2 bad input, 3 infrastructure failure',
    );
  });
});
