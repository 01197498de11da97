/**
 * lint-docs on a generated docs tree the size of the TF website's (500
 * Markdown files of 40 to 200 lines, fenced and inline code, a Liquid tag in
 * one file of ten), through the bundled CLI as a user runs it; beside the
 * baseline of reading every file and parsing its Markdown once (the floor no
 * linter of Markdown code can go below).
 *
 *   npm run build && npm run bench -- docs [--files N] [--reps N]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fromMarkdown } from 'mdast-util-from-markdown';

function page(i: number): string {
  const lines = [`---`, `title: Page ${i}`, `---`, `# {{ page.title }}`, ''];
  const sections = 4 + (i % 12);
  for (let s = 0; s < sections; s++) {
    lines.push(`## Step ${s}`, '', `Run \`kubectl get pods -n kube-system\` on the master.`, '');
    lines.push('```bash', 'kubectl apply -f contrail.yaml', `echo step-${s}`);
    if (i % 10 === 0 && s === 1) lines.push('sed "s/{{ K8S_MASTER_IP }}/$IP/g" tf.yaml');
    lines.push('```', '', 'Some prose about the step and what it changes on the node.', '');
  }
  return lines.join('\n');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(args: string[]): Promise<void> {
  let files = 500;
  let reps = 3;
  for (let i = 0; i < args.length; i += 2) {
    const v = Number(args[i + 1]);
    if (args[i] === '--files' && Number.isInteger(v) && v > 0) files = v;
    else if (args[i] === '--reps' && Number.isInteger(v) && v > 0) reps = v;
    else {
      console.error(
        `npm run bench -- docs: unknown or bad argument ${JSON.stringify(args[i])}; it takes --files N and --reps N`,
      );
      process.exit(2);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'te-bench-docs-'));
  try {
    const paths = Array.from({ length: files }, (_, i) => {
      const p = join(dir, `page-${i}.md`);
      writeFileSync(p, page(i));
      return p;
    });
    const lint: number[] = [];
    const floor: number[] = [];
    let findings = '';
    for (let r = 0; r < reps; r++) {
      let t = Date.now();
      for (const p of paths) fromMarkdown(readFileSync(p, 'utf8'));
      floor.push(Date.now() - t);
      t = Date.now();
      const out = spawnSync(process.execPath, [resolve('dist/cli.js'), 'lint-docs', ...paths], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      lint.push(Date.now() - t);
      findings = out.stdout.trim().split('\n').at(-1) ?? '';
      if (out.status !== 1) throw new Error(`lint-docs exited ${out.status}: ${out.stderr}`);
    }
    console.log(`${findings}`);
    console.log(
      `lint-docs on ${files} files (median of ${reps}): ${(median(lint) / 1000).toFixed(2)}s, process start included; baseline, reading and parsing each file once in-process: ${(median(floor) / 1000).toFixed(2)}s`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
