/**
 * A doc's own install steps, as its readers get them: the page rendered as
 * the Jekyll site renders it (Liquid first), then the code blocks the doc
 * marks as steps, in order, each with the source line it starts on (where a
 * failure is reported). A block is a step when its fence's info string
 * carries `tungsten-e2e-step`, or when an HTML comment `<!-- tungsten-e2e-step -->`
 * is the node right before it; `=all`, `=workers` or `=master` (the
 * default) says where it runs:
 *
 *   ```sh tungsten-e2e-step=all
 *   <!-- tungsten-e2e-step=master -->
 *
 * A step's lines that set one of the plan's placeholders (`K8S_MASTER_IP=…`,
 * `export VROUTER_GATEWAY=…`) get the plan's value; every placeholder is in
 * the step's environment as well.
 */
import type { Code, Root } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { UserError } from '../errors.js';
import type { SitePlan } from '../plan/types.js';
import { quoteArg } from '../remote/quote.js';
import { jekyllLiquid, splitFrontMatter } from './lintDocs.js';
import { renderedCounterparts } from './markdown.js';

export type DocStepHosts = 'master' | 'workers' | 'all';

export interface DocStep {
  /** the doc's path, as given (annotations name it) */
  file: string;
  /** 1-based line of the block's opening fence in the source */
  line: number;
  hosts: DocStepHosts;
  /** the block as the site shows it */
  script: string;
}

const MARK = /(?:^|\s)tungsten-e2e-step(?:=(all|workers|master))?(?:\s|$)/;
const COMMENT = /^<!--\s*tungsten-e2e-step(?:=(all|workers|master))?\s*-->$/;

/** The step mark of a code node: in its info string, or in the comment just before it. */
function markOf(node: Code, previous: Node | undefined) {
  const meta = `${node.lang ?? ''} ${node.meta ?? ''}`;
  const inFence = MARK.exec(meta);
  if (inFence) return (inFence[1] ?? 'master') as DocStepHosts;
  const comment = previous?.type === 'html' ? COMMENT.exec(previous.value?.trim() ?? '') : null;
  if (comment) return (comment[1] ?? 'master') as DocStepHosts;
  return undefined;
}

type Node = { type: string; value?: string; children?: Node[] };

/** A paragraph of Liquid tags only, like `{% raw %}` on its own line: not content between a mark and its block. */
const onlyTags = (n: Node) =>
  n.type === 'paragraph' &&
  (n.children ?? []).every(
    (c) => c.type === 'text' && /^(\s*\{%[^%]*%\}\s*)+$/.test(c.value ?? ''),
  );

/** Each code block with the node before it in its parent (skipping `{% raw %}` lines). */
function blocksWithPrevious(tree: Root): { node: Code; previous?: Node }[] {
  const out: { node: Code; previous?: Node }[] = [];
  const walk = (parent: Node) => {
    const children = parent.children ?? [];
    children.forEach((child, i) => {
      if (child.type === 'code') {
        let j = i - 1;
        while (j >= 0 && onlyTags(children[j]!)) j--;
        const previous = children[j];
        out.push({ node: child as unknown as Code, ...(previous ? { previous } : {}) });
      }
      walk(child);
    });
  };
  walk(tree as unknown as Node);
  return out;
}

export function docSteps(
  text: string,
  file: string,
  site: Record<string, unknown> = {},
): DocStep[] {
  const { page, body } = splitFrontMatter(text);
  let rendered: string;
  try {
    rendered = jekyllLiquid().parseAndRenderSync(body, { site, page });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const line = /line:(\d+)/.exec(message)?.[1] ?? '1';
    throw new UserError(
      `${file}:${line}: Liquid cannot parse this page (${message.split(', line:')[0]}), so the site build fails; run lint-docs on it and fix that first.`,
    );
  }
  const sourceTree = fromMarkdown(body);
  const counterparts = renderedCounterparts(sourceTree, rendered);
  const steps: DocStep[] = [];
  for (const { node, previous } of blocksWithPrevious(sourceTree)) {
    const hosts = markOf(node, previous);
    if (!hosts) continue;
    const line = node.position!.start.line;
    const shown = counterparts.get(node);
    if (!shown || shown.type !== 'code') {
      throw new UserError(
        `${file}:${line}: after the site's Liquid this step's code block is no longer a code block; run lint-docs on the doc and protect the block with {% raw %}.`,
      );
    }
    steps.push({ file, line, hosts, script: shown.value });
  }
  if (steps.length === 0) {
    throw new UserError(
      `${file}: no install steps are marked; put <!-- tungsten-e2e-step --> before each step's code block, or tungsten-e2e-step in its fence's info string (\`\`\`sh tungsten-e2e-step).`,
    );
  }
  return steps;
}

const NAME = /^[A-Z_][A-Z0-9_]*$/;

/**
 * What a doc's steps may take from the plan, by the names install docs use:
 * the master's address, the underlay gateway, the pod and service ranges, and
 * every placeholder of the profile's TF manifest.
 */
export function docValues(site: SitePlan): Record<string, string> {
  const master = site.hosts.find((h) => h.role === 'master');
  return {
    ...(master ? { K8S_MASTER_IP: master.privateAddress } : {}),
    VROUTER_GATEWAY: site.gateway,
    K8S_POD_SUBNET: site.cidrs.pod,
    K8S_SERVICE_SUBNET: site.cidrs.service,
    ...site.manifestValues,
  };
}

/**
 * The step's script as it runs on a host: the plan's placeholders exported,
 * and the step's own assignments of them (`K8S_MASTER_IP=10.1.1.1`, the
 * doc's example value) replaced by the plan's value.
 */
export function stepScript(step: DocStep, values: Readonly<Record<string, string>>): string {
  const names = Object.keys(values).filter((n) => NAME.test(n));
  const exports = names.map((n) => `export ${n}=${quoteArg(values[n]!)}`);
  const assignment = new RegExp(`^(\\s*(?:export\\s+)?)(${names.join('|') || '(?!)'})=\\S*`, 'gm');
  const filled = step.script.replace(
    assignment,
    (_all, lead: string, name: string) => `${lead}${name}=${quoteArg(values[name]!)}`,
  );
  return [...exports, filled].join('\n');
}

/** The site's nodes a step runs on: its master, its workers, or every node (never the edge). */
export function docStepHosts<H extends { role: string }>(hosts: readonly H[], step: DocStep): H[] {
  const nodes = hosts.filter((h) => h.role !== 'edge');
  if (step.hosts === 'all') return nodes;
  return nodes.filter((h) => h.role === (step.hosts === 'workers' ? 'worker' : 'master'));
}

/** A step as it runs on a site's node: strict at the first failing command, the plan's values in. */
export function docStepCommand(step: DocStep, site: SitePlan): string {
  return `set -eo pipefail\n${stepScript(step, docValues(site))}`;
}

/** How a step is named in progress, the timeline and JUnit: `doc step 2 (docs/install.md:19)`. */
export const docStepName = (step: DocStep, index: number): string =>
  `doc step ${index + 1} (${step.file}:${step.line})`;
