import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSiteFile, parseSiteFile } from '../../src/config/load.js';
import { UserError } from '../../src/errors.js';
import { tempDir, userErrorMessages } from '../helpers.js';

const two = (extra = '') => `profile: tf-2018
sites:
  - name: east
    provider: local
  - name: west
    provider: local
${extra}`;

describe('site file loading', () => {
  it('loads the local example with defaults filled in', () => {
    const c = parseSiteFile(readFileSync('examples/local.yml', 'utf8'), 'examples/local.yml');
    expect(c.sites.map((s) => s.name)).toEqual(['east', 'west']);
    expect(c.sites[0]!.nodes.workers).toBe(1);
    expect(c.ttlSeconds).toBe(3600);
    expect(c.tests.isolationModes).toEqual(['default', 'namespace', 'service', 'container']);
    expect(c.tests.namespaces).toEqual(['tenant-a', 'tenant-b']);
  });

  it('names file, line, column and the allowed keys for an unknown key, with a suggestion', () => {
    const text = `sites:
  - name: east
    provider: local
    nodes:
      wrokers: 2
  - name: west
    provider: local
`;
    const [msg] = userErrorMessages(() => parseSiteFile(text, 'my-sites.yml'));
    expect(msg).toBe(
      'my-sites.yml:5:7: unknown key "wrokers" in sites[0].nodes; did you mean "workers"? Allowed keys: workers, master-type, worker-type, edge-type.',
    );
  });

  it('reports a top-level unknown key', () => {
    const [msg] = userErrorMessages(() => parseSiteFile(two('profle: x\n'), 'f.yml'));
    expect(msg).toMatch(
      /^f\.yml:7:1: unknown key "profle" at the top level; did you mean "profile"\?/,
    );
    // nothing close: the sentence ends before the allowed keys
    expect(userErrorMessages(() => parseSiteFile(two('colour: red\n'), 'f.yml'))).toEqual([
      'f.yml:7:1: unknown key "colour" at the top level. Allowed keys: profile, ttl, allow-unsupported, versions, registry, tests, health, sites.',
    ]);
  });

  it('refuses a site name with shell metacharacters, at the name', () => {
    const text = two().replace('name: west', 'name: "west;rm -rf /"');
    const [msg] = userErrorMessages(() => parseSiteFile(text, 'f.yml'));
    expect(msg).toMatch(
      /^f\.yml:5:11: sites\[1\]\.name is "west;rm -rf \/"; it must be a lowercase DNS label/,
    );
  });

  it.each([['$(reboot)'], ['East'], ['a b'], ['x`id`'], ['-lead'], ['averyveryverylongsitename']])(
    'refuses site name %j',
    (name) => {
      const text = two().replace('name: west', `name: ${JSON.stringify(name)}`);
      expect(userErrorMessages(() => parseSiteFile(text, 'f.yml'))[0]).toMatch(/sites\[1\]\.name/);
    },
  );

  it('reports a wrong type with what was given', () => {
    const text = two().replace(
      'provider: local\n  - name: west',
      'provider: local\n    nodes: { workers: two }\n  - name: west',
    );
    const [msg] = userErrorMessages(() => parseSiteFile(text, 'f.yml'));
    expect(msg).toBe('f.yml:5:23: sites[0].nodes.workers must be a number, not "two".');
  });

  it('reports bad indentation as a YAML error with a position', () => {
    const text = `sites:
  - name: east
    provider: local
     nodes: 2
`;
    const [msg] = userErrorMessages(() => parseSiteFile(text, 'f.yml'));
    expect(msg).toMatch(/^f\.yml:\d+:\d+: the file is not valid YAML \(.+\); .+\.$/);
  });

  it('reports tabs and duplicate keys with advice', () => {
    const dup = userErrorMessages(() =>
      parseSiteFile('sites:\n  - name: a\n    name: b\n    provider: local\n', 'f.yml'),
    )[0];
    expect(dup).toMatch(/^f\.yml:3:5: .*remove or rename one of the two keys\.$/);
  });

  it('suggests the closest allowed value for an enum', () => {
    const text = two().replace(
      'provider: local\n  - name: west',
      'provider: lcoal\n  - name: west',
    );
    const [msg] = userErrorMessages(() => parseSiteFile(text, 'f.yml'));
    expect(msg).toBe(
      'f.yml:4:15: sites[0].provider is "lcoal", which is not allowed; use one of local, aws, gcp, azure, static (did you mean "local"?).',
    );
  });

  it('requires at least two sites', () => {
    const [msg] = userErrorMessages(() =>
      parseSiteFile('sites:\n  - name: a\n    provider: local\n', 'f.yml'),
    );
    expect(msg).toBe('f.yml:2:3: sites must list at least two sites.');
  });

  it('refuses duplicate site names naming both entries', () => {
    const text = two().replace('name: west', 'name: east');
    const [msg] = userErrorMessages(() => parseSiteFile(text, 'f.yml'));
    expect(msg).toBe(
      'f.yml:5:11: sites[1].name "east" is already the name of sites[0]; site names must be unique.',
    );
  });

  it('applies provider rules: clouds need a region, faults only locally, hosts only static', () => {
    const text = `sites:
  - name: a
    provider: aws
    faults: [no-bgp]
  - name: b
    provider: local
    region: us-east-1
  - name: c
    provider: static
    hosts:
      - { address: 203.0.113.5, role: worker }
`;
    const msgs = userErrorMessages(() => parseSiteFile(text, 'f.yml'));
    expect(msgs).toEqual([
      'f.yml:3:15: sites[0] ("a") uses provider aws, which needs a region; add region: under it.',
      'f.yml:4:5: sites[0].faults is only for provider local (faults are injected into the emulated fabric); remove it.',
      'f.yml:7:5: sites[1].region is not used by provider local (local sites are network namespaces on this host); remove it.',
      'f.yml:11:7: sites[2].hosts has 0 hosts with role master; it needs exactly one.',
      'f.yml:11:7: sites[2] ("c") is static, so its underlay range cannot be chosen for it; add cidrs.underlay holding the hosts\' private addresses.',
    ]);
  });

  it('refuses a range with host bits set and suggests the network', () => {
    const text = two().replace(
      'provider: local\n  - name: west',
      'provider: local\n    cidrs: { pod: 10.33.1.0/12 }\n  - name: west',
    );
    const [msg] = userErrorMessages(() => parseSiteFile(text, 'f.yml'));
    expect(msg).toBe(
      'f.yml:5:19: sites[0].cidrs.pod "10.33.1.0/12" has host bits set (the network is 10.32.0.0/12); write 10.32.0.0/12.',
    );
  });

  it('refuses versions.tf-tag latest: a run is pinned', () => {
    expect(
      userErrorMessages(() => parseSiteFile(two('versions: { tf-tag: latest }\n'), 'f.yml')),
    ).toEqual([
      'f.yml:7:21: versions.tf-tag is "latest", which pins nothing (the image behind it changes); name a release tag or a dated build, or leave it out to use the profile\'s pin.',
    ]);
    expect(parseSiteFile(two('versions: { tf-tag: 2025-11-03 }\n'), 'f.yml').versions.tfTag).toBe(
      '2025-11-03',
    );
  });

  it('takes health.tolerate entries, and refuses one that matches no service or detail at its line', () => {
    const ok = parseSiteFile(
      two(`health:
  tolerate:
    - { pod: analytics, service: collector, state: initializing, detail: 'Collector connection down', reason: 'no analytics in this test' }
`),
      'f.yml',
    );
    expect(ok.health.tolerate).toEqual([
      {
        pod: 'analytics',
        service: 'collector',
        state: 'initializing',
        detail: 'Collector connection down',
        reason: 'no analytics in this test',
      },
    ]);
    expect(parseSiteFile(two(), 'f.yml').health).toEqual({ tolerate: [] });

    const broad = two(`health:
  tolerate:
    - state: initializing
      reason: everything starting is fine
`);
    expect(userErrorMessages(() => parseSiteFile(broad, 'f.yml'))).toEqual([
      'f.yml:9:7: health.tolerate[0] names neither a service nor a detail; add one of them (a toleration of a whole pod or state would hide real failures).',
    ]);
    const noReason = two(`health:
  tolerate:
    - service: collector
`);
    expect(userErrorMessages(() => parseSiteFile(noReason, 'f.yml'))[0]).toMatch(
      /^f\.yml:9:7: health\.tolerate\[0\]\.reason /,
    );
    const active = two(`health:
  tolerate:
    - { service: collector, state: active, reason: x }
`);
    expect(userErrorMessages(() => parseSiteFile(active, 'f.yml'))[0]).toMatch(
      /^f\.yml:9:\d+: health\.tolerate\[0\]\.state /,
    );
  });

  it('refuses a ttl outside 10m..7d', () => {
    const [msg] = userErrorMessages(() => parseSiteFile(two('ttl: 8d\n'), 'f.yml'));
    expect(msg).toBe('f.yml:7:6: ttl is "8d"; it must be between 10m and 7d.');
  });

  it('an asn past every bound is one sentence, not one per bound', () => {
    const text = two().replace(
      '    provider: local\n',
      '    provider: local\n    asn: 99999999999999999999999\n',
    );
    const msgs = userErrorMessages(() => parseSiteFile(text, 'f.yml'));
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatch(/^f\.yml:5:10: sites\[0\]\.asn is 1e\+23; it must be at most/);
  });

  it('a range that swallows the address space is named at its own field, not as another range without room', () => {
    const text = two().replace(
      '    provider: local\n',
      '    provider: local\n    cidrs: { pod: 0.0.0.0/0 }\n',
    );
    expect(userErrorMessages(() => parseSiteFile(text, 'f.yml'))).toEqual([
      'f.yml:5:19: sites[0].cidrs.pod 0.0.0.0/0 is larger than a /8, which would leave no room for the other ranges; give a /8 or smaller, like 10.32.0.0/12.',
    ]);
  });

  it('refuses an empty ttl at its line (it used to pass and crash up with a RangeError)', () => {
    const [msg] = userErrorMessages(() => parseSiteFile(two('ttl: ""\n'), 'f.yml'));
    expect(msg).toMatch(/^f\.yml:7:6: ttl .*must be a duration like 3h/);
  });

  it('an alias without its anchor is one sentence at the alias, not a stack trace', () => {
    const text = 'profile: tf-2018\nsites: *nope\n';
    const [msg] = userErrorMessages(() => parseSiteFile(text, 'f.yml'));
    expect(msg).toBe(
      'f.yml:2:8: the file is not valid YAML: alias *nope names no anchor (&nope) above it; define the anchor before using the alias, or write the value out.',
    );
  });

  it('a file whose aliases expand without bound ("billion laughs") is refused at its first alias', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const [msg] = userErrorMessages(() => parseSiteFile(`${levels.join('\n')}\n`, 'f.yml'));
    expect(msg).toMatch(
      /^f\.yml:2:\d+: the file is not valid YAML: it expands its aliases into too many nodes/,
    );
  });

  it('lets overrides (action inputs, flags) win over the file', () => {
    const c = parseSiteFile(two('ttl: 2h\n'), 'f.yml', {
      ttl: '30m',
      profile: 'opensdn-24',
      suites: ['connectivity'],
    });
    expect([c.ttl, c.ttlSeconds, c.profile, c.tests.suites]).toEqual([
      '30m',
      1800,
      'opensdn-24',
      ['connectivity'],
    ]);
  });

  it('takes inline YAML and names it in messages', async () => {
    const c = await loadSiteFile(two(), {}, "action input 'sites'");
    expect(c.file).toBe("action input 'sites'");
    await expect(
      loadSiteFile(
        two().replace('local\n  - name: west', 'lcl\n  - name: west'),
        {},
        "action input 'sites'",
      ),
    ).rejects.toThrow(/^action input 'sites':4:15: /);
  });

  it('says when the file does not exist', async () => {
    await expect(loadSiteFile('does/not/exist.yml')).rejects.toBeInstanceOf(UserError);
    await expect(loadSiteFile('does/not/exist.yml')).rejects.toThrow(
      'does/not/exist.yml: no such site file; pass the path of a YAML site file (see examples/).',
    );
  });

  it('a huge value is quoted as a short excerpt, not echoed whole', () => {
    const name = 'A'.repeat(5_000_000);
    const [msg] = userErrorMessages(() =>
      parseSiteFile(two().replace('name: east', `name: ${name}`), 'f.yml'),
    );
    expect(msg!.length).toBeLessThan(400);
    expect(msg).toContain(`"${'A'.repeat(60)}…" (5000000 characters)`);
  });

  it('a file that is not a site file (a link to a secret, say) is refused without echoing it', async () => {
    const dir = tempDir('te-load-');
    const secret = join(dir, 'secret.yml');
    writeFileSync(secret, 'db-password: hunter2-te\nadmin-user: alice\n');
    const link = join(dir, 'sites.yml');
    symlinkSync(secret, link);
    const e = await loadSiteFile(link).then(
      () => undefined,
      (x: unknown) => x as Error,
    );
    expect(e).toBeInstanceOf(UserError);
    expect(e!.message).toBe(
      `${link}:1:1: this is not a tungsten-e2e site file: none of its 2 top-level keys is one of profile, ttl, allow-unsupported, versions, registry, tests, health, sites; pass a site file (see examples/local.yml).`,
    );
    expect(e!.message).not.toMatch(/hunter2|password|alice/);
  });

  it('a FIFO, a directory or a device is refused instead of read (a FIFO used to hang)', async () => {
    const dir = tempDir('te-load-');
    const fifo = join(dir, 'sites.fifo');
    execFileSync('mkfifo', [fifo]);
    await expect(loadSiteFile(fifo)).rejects.toThrow(`${fifo}: is a FIFO, not a file;`);
    await expect(loadSiteFile(dir)).rejects.toThrow(`${dir}: is a directory, not a file;`);
    await expect(loadSiteFile('/dev/zero')).rejects.toThrow('/dev/zero: is a device, not a file;');
  });

  it('a UTF-16 file is named as such, not as "must be a YAML mapping"', async () => {
    const dir = tempDir('te-load-');
    const file = join(dir, 'sites.yml');
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(two(), 'utf16le')]));
    await expect(loadSiteFile(file)).rejects.toThrow(
      `${file}: the file is not UTF-8 text (it looks like UTF-16); save it as UTF-8.`,
    );
    // the control: the same text as UTF-8 (with a BOM) loads
    writeFileSync(file, `\uFEFF${two()}`);
    expect((await loadSiteFile(file)).sites).toHaveLength(2);
  });

  it('loads every example file', async () => {
    const files = readdirSync('examples').filter((f) => f.endsWith('.yml'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) {
      const c = await loadSiteFile(`examples/${f}`);
      expect(c.sites.length).toBeGreaterThanOrEqual(2);
    }
  });
});
