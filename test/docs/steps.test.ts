/**
 * A doc's marked install steps as readers get them: rendered as the Jekyll
 * site renders them, in order, with the source line of each block; the
 * plan's placeholders filled; a doc whose unprotected block the Liquid ate
 * gives the broken command, as the site shows it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isUserError } from '../../src/errors.js';
import { docSteps, stepScript } from '../../src/docs/steps.js';
import { memoryLogger } from '../../src/log.js';
import { up } from '../../src/pipeline.js';
import { runCli } from '../../src/cli/cliImpl.js';
import { tempDir } from '../helpers.js';

const FILE = 'test/fixtures/docs/install-steps.md';
const text = readFileSync(FILE, 'utf8');
/** the same doc after the edit that took the {% raw %} out again */
const unprotected = text.replace(/\{% (end)?raw %\}\n/g, '');

describe('doc steps', () => {
  it('finds the marked blocks in order, where they run, at their source lines, as the site renders them', () => {
    const steps = docSteps(text, FILE);
    expect(steps.map((s) => `${s.line} ${s.hosts}`)).toEqual(['11 all', '19 master']);
    expect(steps[1]!.script).toContain('sed "s/{{ K8S_MASTER_IP }}/$K8S_MASTER_IP/g"');
    expect(steps[0]!.script).toBe('mkdir -p "$TE_ROOT/var/lib/contrail/kafka-logs"');
  });

  it('the control: without {% raw %} the site eats the placeholder, and the step is what readers copy', () => {
    const steps = docSteps(unprotected, FILE);
    expect(steps[1]!.script).toContain('sed "s//$K8S_MASTER_IP/g"');
    expect(steps[1]!.script).toContain("printf 'server: \\n'");
  });

  it("fills the plan's placeholders: exported, and the doc's own example assignment replaced", () => {
    const [, apply] = docSteps(text, FILE);
    const script = stepScript(apply!, {
      K8S_MASTER_IP: '172.16.0.10',
      VROUTER_GATEWAY: '172.16.0.1',
    });
    expect(script.split('\n').slice(0, 3)).toEqual([
      'export K8S_MASTER_IP=172.16.0.10',
      'export VROUTER_GATEWAY=172.16.0.1',
      'K8S_MASTER_IP=172.16.0.10',
    ]);
    expect(script).not.toContain('10.1.1.1');
    // a value is quoted for the shell
    expect(stepScript(apply!, { K8S_MASTER_IP: "a b'c" })).toContain(
      "\nK8S_MASTER_IP='a b'\\''c'\n",
    );
  });

  it('refuses a doc without steps, and one whose Liquid does not parse, at the file', () => {
    const none = (() => {
      try {
        docSteps('# nothing\n\n```sh\nls\n```\n', 'a.md');
      } catch (e) {
        return e;
      }
    })();
    expect(isUserError(none)).toBe(true);
    expect((none as Error).message).toMatch(/^a\.md: no install steps are marked/);
    expect(() => docSteps('<!-- tungsten-e2e-step -->\n```sh\n{% if %}\n```\n', 'b.md')).toThrow(
      /^b\.md:\d+: Liquid cannot parse this page/,
    );
  });

  it('run --doc on local sites is refused before anything is made', async () => {
    const state = join(tempDir('te-doc-local-'), 'state');
    const error = await up(
      { sites: 'examples/local.yml', stateDir: state, doc: FILE },
      { logger: memoryLogger() },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toBe(
      `--doc ${FILE}: a doc's install steps run on real machines, but site "east" is local (the emulated fabric installs nothing); use cloud or static sites.`,
    );
    expect(existsSync(state)).toBe(false);
  });

  it("plan --commands --doc shows the doc's steps where the TF apply would be, per host, with the plan's values", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const cli = (args: string[]) =>
      runCli(args, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) });
    expect(
      await cli(['plan', '--sites', 'examples/static-pair.yml', '--commands', '--doc', FILE]),
    ).toBe(0);
    const headings = out
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('### lab /'))
      .map((l) => l.slice(4));
    expect(headings.slice(-3)).toEqual([
      `lab / lab-master / doc step 1 (${FILE}:11)`,
      `lab / lab-worker-1 / doc step 1 (${FILE}:11)`,
      `lab / lab-master / doc step 2 (${FILE}:19)`,
    ]);
    expect(headings.some((h) => h.endsWith('/ tf manifest'))).toBe(false);
    const text = out.join('');
    expect(text).toContain("K8S_MASTER_IP=192.168.10.10\nprintf 'server: {{ K8S_MASTER_IP }}\\n'");
    expect(text).toContain('K8S_MASTER_IP=192.168.20.10');
    // --doc belongs with --commands
    err.length = 0;
    expect(await cli(['plan', '--sites', 'examples/static-pair.yml', '--doc', FILE])).toBe(2);
    expect(err.join('')).toContain('plan --doc shows a doc');
  });
});
