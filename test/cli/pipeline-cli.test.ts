import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runBundle } from '../bundle.js';
import { writeTemp } from '../helpers.js';

describe('up/down/run: bad input, exit 2, nothing made', () => {
  it('needs its flags', () => {
    const up = runBundle('cli', ['up', '--sites', 'examples/local.yml']);
    expect(up.code).toBe(2);
    expect(up.stderr).toContain('tungsten-e2e up needs --state');
    const down = runBundle('cli', ['down']);
    expect(down.code).toBe(2);
    expect(down.stderr).toContain('tungsten-e2e down needs --state');
    const test = runBundle('cli', ['test', '--results', 'x']);
    expect(test.code).toBe(2);
    expect(test.stderr).toContain('tungsten-e2e test needs --state');
  });

  it('refuses an unknown teardown policy', () => {
    const r = runBundle('cli', ['run', '--sites', 'examples/local.yml', '--teardown', 'sometimes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: tungsten-e2e run: --teardown must be one of always, on-success, never, not "sometimes".\n',
    );
  });

  it('down and test on a directory without a run say which directory to pass', () => {
    for (const command of ['down', 'test']) {
      const r = runBundle('cli', [command, '--state', '/nonexistent/te-state']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('/nonexistent/te-state: no run state here');
    }
  });

  it('cloud sites get the tungsten fabric and go on to the preflight, which asks for credentials before anything is made', () => {
    const r = runBundle(
      'cli',
      ['up', '--sites', 'examples/aws-azure.yml', '--state', '/nonexistent/x'],
      {
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_ACCESS_KEY_ID: '',
        AWS_SECRET_ACCESS_KEY: '',
        AWS_PROFILE: '',
      },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('not available yet');
    expect(r.stderr).toMatch(/^error: no AWS credentials for aws /m);
    expect(existsSync('/nonexistent/x')).toBe(false);
  });

  it('local sites cannot be mixed with cloud sites', () => {
    const file = writeTemp(
      'mixed.yml',
      'sites:\n  - { name: a, provider: local }\n  - { name: b, provider: static, cidrs: { underlay: 192.0.2.0/24 }, hosts: [{ address: 192.0.2.10, role: master }] }\n',
    );
    const r = runBundle('cli', ['up', '--sites', file, '--state', '/nonexistent/x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error: ${file}:2:26: sites[0] ("a") uses provider local, which runs the emulated fabric on this host, and cannot be joined with sites[1] ("b", provider static); make every site local or none.\n`,
    );
    // plan applies the same rule at the same line: it no longer passes what run refuses
    const planned = runBundle('cli', ['plan', '--sites', file]);
    expect(planned.code).toBe(2);
    expect(planned.stderr).toBe(r.stderr);
    // bad input creates nothing: not the state directory, nor the directory above it
    expect(existsSync('/nonexistent')).toBe(false);
  });
});
