/**
 * lint-docs on Jekyll test docs: findings exactly on the lines where Liquid
 * eats code (the reference demo's `{{ K8S_MASTER_IP }}` in a sed command),
 * none on {% raw %}-protected blocks, none for site variables outside code;
 * a Liquid syntax error is a finding; the CLI's output forms and exit codes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { annotation, lintDocsCommand } from '../../src/commands/lintDocs.js';
import { lintDoc, splitFrontMatter } from '../../src/docs/lintDocs.js';
import { listProfiles, loadProfile } from '../../src/config/profile.js';
import { memoryLogger } from '../../src/log.js';
import { runBundleAsync } from '../bundle.js';

const dir = mkdtempSync(join(tmpdir(), 'te-lint-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The 2018 install doc's shape: front matter, a site variable, an eaten sed, a protected copy. */
const DOC = [
  '---', //                                                           1
  'title: Kubernetes and TF',
  'k8s: 1.10.11',
  '---',
  '# {{ page.title }} on {{ site.title }}', //                       5
  '',
  'Kubernetes {{ page.k8s }}, then:',
  '',
  '```bash',
  'K8S_MASTER_IP=10.0.0.5', //                                        10
  'curl -s https://x/tf.yaml | sed "s/{{ K8S_MASTER_IP }}/$K8S_MASTER_IP/g; s/{{ CONTRAIL_REPO }}/r/g" | kubectl apply -f -',
  '```',
  '',
  'Inline too: `echo {{ CONTRAIL_RELEASE }}` and plain `kubectl get pods`.',
  '', //                                                              15
  '{% raw %}',
  '```bash',
  'sed "s/{{ K8S_MASTER_IP }}/$K8S_MASTER_IP/g"',
  '```',
  '{% endraw %}', //                                                  20
  '',
  '    indented {{ TAG }} block',
  '',
  '{% highlight bash %}',
  'docker pull {{ CONTRAIL_REPO }}/contrail-agent', //                 25
  '{% endhighlight %}',
  '',
].join('\n');

describe('lint-docs (Liquid eaten inside code)', () => {
  const findings = lintDoc(DOC, { title: 'TF docs' });

  it('finds each Liquid tag inside code, at its own line and column, and nothing else', () => {
    expect(findings.map((f) => [f.line, f.column, f.message.split(' inside ')[0]])).toEqual([
      [11, 36, '{{ K8S_MASTER_IP }}'],
      [11, 76, '{{ CONTRAIL_REPO }}'],
      [14, 19, '{{ CONTRAIL_RELEASE }}'],
      [22, 14, '{{ TAG }}'],
    ]);
    expect(findings.every((f) => f.severity === 'error')).toBe(true);
  });

  it('says what the reader sees instead, and the fix', () => {
    const sed = findings[0]!.message;
    expect(sed).toContain('readers see "…');
    expect(sed).toContain('sed "s//$K8S_MASTER_IP/g; s//r/g"');
    expect(sed).toContain('put {% raw %} on the line before the opening fence');
    expect(findings[2]!.message).toContain('inside inline code');
    expect(findings[2]!.message).toContain('readers see "echo" where');
  });

  it('no finding for a {% raw %} block, site and page variables outside code, or a doc without Liquid', () => {
    expect(findings.some((f) => f.line >= 16 && f.line <= 20)).toBe(false);
    expect(findings.some((f) => f.line === 5 || f.line === 7)).toBe(false);
    expect(lintDoc('# Plain\n\n```sh\nkubectl get pods\n```\n')).toEqual([]);
    const protectedOnly = ['{% raw %}', '```', '{{ X }}', '```', '{% endraw %}', ''].join('\n');
    expect(lintDoc(protectedOnly)).toEqual([]);
  });

  it('negative control: the same doc with every {% raw %} pair removed gains the finding there', () => {
    const bare = DOC.replace('{% raw %}\n', '\n').replace('{% endraw %}\n', '\n');
    const more = lintDoc(bare, { title: 'TF docs' });
    expect(more.map((f) => f.line)).toContain(18);
    expect(more).toHaveLength(findings.length + 1);
  });

  it('a Liquid syntax error is a finding (the site build fails), at its line', () => {
    const [f, more] = lintDoc('# Doc\n\ntext\n{% if x %}\nnever closed\n');
    expect(more).toBeUndefined();
    expect(f).toMatchObject({ line: 4, severity: 'error' });
    expect(f!.message).toMatch(/^Liquid cannot parse this page, so the site build fails: /);
  });

  it('keeps the source lines when it removes front matter', () => {
    const { page, body } = splitFrontMatter('---\na: 1\n---\nline 4\n');
    expect(page).toEqual({ a: 1 });
    expect(body.split('\n')[3]).toBe('line 4');
  });
});

describe('lint-docs: versions against the profile', () => {
  const profiles = listProfiles().map((n) => loadProfile(n));
  const doc = (front: string, ...code: string[]) =>
    [...(front ? ['---', front, '---'] : []), '# Install', '', '```bash', ...code, '```', ''].join(
      '\n',
    );

  it('warns at each version that contradicts the profile the doc declares, and not at those that agree', () => {
    const text = doc(
      'tungsten-e2e-profile: tf-2018',
      'yum install -y kernel-3.10.0-862.3.2.el7 docker-1.13.1-75.git8633870.el7.centos',
      'yum install -y kubeadm-1.12.3 kubelet-1.10.11',
      'export CONTRAIL_RELEASE=latest',
    );
    const found = lintDoc(text, {}, undefined, profiles);
    expect(found.map((f) => [f.line, f.column, f.severity, f.message.split(' here')[0]])).toEqual([
      [7, 23, 'warning', 'kernel 3.10.0-862.3.2'],
      [8, 24, 'warning', 'Kubernetes 1.12.3'],
      [9, 25, 'warning', 'TF tag latest'],
    ]);
    expect(found[1]!.message).toBe(
      'Kubernetes 1.12.3 here, but the profile this doc declares, tf-2018, pins 1.10.11; update the doc or the profile, so readers install what was tested.',
    );
  });

  it("without a declared profile, the one for the doc's Kubernetes minor; none found, no warning", () => {
    const found = lintDoc(
      doc('', 'kubeadm init --kubernetes-version=v1.28.2'),
      {},
      undefined,
      profiles,
    );
    expect(found.map((f) => f.message)).toEqual([
      'Kubernetes 1.28.2 here, but the profile for its Kubernetes minor, opensdn-24, pins 1.28.15; update the doc or the profile, so readers install what was tested.',
    ]);
    expect(
      lintDoc(doc('', 'kubeadm init --kubernetes-version=v1.31.0'), {}, undefined, profiles),
    ).toEqual([]);
  });

  it('negative control: the pinned versions themselves raise nothing', () => {
    const text = doc(
      'tungsten-e2e-profile: tf-2018',
      'yum install -y kernel-3.10.0-862.14.4.el7 kubeadm-1.10.11 docker-1.13.1-75',
      'export CONTRAIL_RELEASE=ocata-5.0.0-134',
    );
    expect(lintDoc(text, {}, undefined, profiles)).toEqual([]);
  });
});

describe('tungsten-e2e lint-docs', () => {
  const file = join(dir, 'install.md');
  const clean = join(dir, 'clean.md');
  writeFileSync(file, DOC);
  writeFileSync(clean, '# Fine\n\n`kubectl get pods`\n');
  writeFileSync(join(dir, '_config.yml'), 'title: From the config\n');

  it('prints file:line:col per finding and exits 1; a clean file exits 0', async () => {
    const r = await runBundleAsync('cli', ['lint-docs', '--site-root', dir, file, clean]);
    expect(r.code, r.stderr).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^${file}:11:36: error: \\{\\{ K8S_MASTER_IP \\}\\} inside a code block`),
    );
    expect(lines.at(-1)).toBe('lint-docs: 4 findings in 2 files');
    const ok = await runBundleAsync('cli', ['lint-docs', clean]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('lint-docs: 0 findings in 1 file\n');
  });

  it('--format json gives the findings as a list', async () => {
    const r = await runBundleAsync('cli', ['lint-docs', '--format', 'json', file]);
    expect(r.code).toBe(1);
    const list = JSON.parse(r.stdout) as { file: string; line: number; column: number }[];
    expect(list.map((f) => `${f.line}:${f.column}`)).toEqual(['11:36', '11:76', '14:19', '22:14']);
    expect(list[0]!.file).toBe(file);
  });

  it('--format markdown gives a PR comment: the marker, the verdict, a row per finding', async () => {
    const out: string[] = [];
    const io = { logger: memoryLogger(), stdout: (t: string) => void out.push(t) };
    expect(await lintDocsCommand({ files: [file, clean], format: 'markdown', env: {} }, io)).toBe(
      1,
    );
    const lines = out.join('').trim().split('\n');
    expect(lines[0]).toBe('<!-- tungsten-e2e:lint-docs -->');
    expect(lines[1]).toBe('### ❌ tungsten-e2e lint-docs: 4 errors, 0 warnings in 2 files');
    const rows = lines.filter((l) => l.startsWith('| `'));
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatch(
      new RegExp(`^\\| \`${file}:11:36\` \\| error \\| \\{\\{ K8S_MASTER_IP`),
    );
    // in Actions too: annotations go with the text output, never into JSON or a comment
    out.length = 0;
    await lintDocsCommand({ files: [file], format: 'json', env: { GITHUB_ACTIONS: 'true' } }, io);
    expect(() => JSON.parse(out.join(''))).not.toThrow();
    out.length = 0;
    await lintDocsCommand(
      { files: [file], format: 'markdown', env: { GITHUB_ACTIONS: 'true' } },
      io,
    );
    expect(out.join('')).not.toContain('::error');
    out.length = 0;
    expect(await lintDocsCommand({ files: [clean], format: 'markdown', env: {} }, io)).toBe(0);
    expect(out.join('')).toBe(
      '<!-- tungsten-e2e:lint-docs -->\n### ✅ tungsten-e2e lint-docs: no findings in 1 file\n',
    );
  });

  it('in GitHub Actions, also writes one ::error annotation per finding, escaped', async () => {
    const out: string[] = [];
    const io = { logger: memoryLogger(), stdout: (t: string) => void out.push(t) };
    const code = await lintDocsCommand({ files: [file], env: { GITHUB_ACTIONS: 'true' } }, io);
    expect(code).toBe(1);
    const notes = out
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('::error '));
    expect(notes).toHaveLength(4);
    expect(notes[0]).toMatch(
      new RegExp(
        `^::error file=${file.replace(/[/.]/g, '\\$&')},line=11,col=36,title=tungsten-e2e lint-docs::`,
      ),
    );
    expect(
      annotation({
        file: 'a,b:c.md',
        line: 1,
        column: 2,
        severity: 'error',
        message: '100% bad\nnext',
      }),
    ).toBe(
      '::error file=a%2Cb%3Ac.md,line=1,col=2,title=tungsten-e2e lint-docs::100%25 bad%0Anext',
    );
  });

  it('bad input: a file that is missing or not Markdown, and no files, exit 2 with one sentence each', async () => {
    const txt = join(dir, 'notes.txt');
    writeFileSync(txt, 'x');
    const r = await runBundleAsync('cli', ['lint-docs', join(dir, 'missing.md'), txt]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${join(dir, 'missing.md')}: no such file; pass the paths of Markdown docs.`,
    );
    expect(r.stderr).toContain(`${txt}: not a Markdown file (.md or .markdown)`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const none = await runBundleAsync('cli', ['lint-docs']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('lint-docs needs the Markdown files to check');
  });
});
