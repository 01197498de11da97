/**
 * What a Jekyll site (the TF website) does to a Markdown page's code before
 * a reader sees it: Liquid runs over the whole page first, so a
 * `{{ K8S_MASTER_IP }}` inside a code fence becomes nothing, and the
 * published `sed "s/{{ K8S_MASTER_IP }}/…/"` turns into `sed "s//…/"`.
 *
 * The page is rendered as Jekyll would (liquidjs with Jekyll's semantics: an
 * unknown variable is empty; `site` from _config.yml, `page` from the front
 * matter), both texts are parsed with a real Markdown parser with positions
 * (mdast), and every code block and inline code span is compared: a change is
 * a finding at the source's line and column of the Liquid that made it.
 * Liquid outside code is left alone (`{{ site.title }}` is meant to render);
 * a Liquid syntax error is a finding, since the site build would fail.
 */
import {
  Liquid,
  Tag,
  type Context,
  type Emitter,
  type TagToken,
  type Template,
  type TopLevelToken,
} from 'liquidjs';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { parse as parseYaml } from 'yaml';
import type { Profile } from '../config/profile.js';
import { positionOf, renderedCounterparts } from './markdown.js';
import { versionWarnings } from './versions.js';

export interface DocFinding {
  line: number;
  column: number;
  severity: 'error' | 'warning';
  message: string;
}

/** {% highlight lang %}…{% endhighlight %}: Jekyll renders the Liquid inside it too. */
class HighlightTag extends Tag {
  private readonly tpls: Template[] = [];
  constructor(token: TagToken, rest: TopLevelToken[], liquid: Liquid) {
    super(token, rest, liquid);
    for (;;) {
      const next = rest.shift();
      if (!next) throw new Error('tag {% highlight %} is not closed with {% endhighlight %}');
      if ((next as TagToken).name === 'endhighlight') return;
      this.tpls.push(liquid.parser.parseToken(next, rest));
    }
  }
  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    yield this.liquid.renderer.renderTemplates(this.tpls, ctx, emitter);
  }
}

/** Jekyll's tags that pull in other files: nothing to render for one page. */
class EmptyTag extends Tag {
  render(): string {
    return '';
  }
}

export function jekyllLiquid(): Liquid {
  const engine = new Liquid({ strictFilters: false, strictVariables: false, jekyllInclude: true });
  engine.registerTag('highlight', HighlightTag);
  for (const t of ['include', 'include_relative', 'link', 'post_url', 'seo', 'feed_meta']) {
    engine.registerTag(t, EmptyTag);
  }
  return engine;
}

/** Front matter as Jekyll reads it, and the body with the front matter's lines kept as blank lines. */
export function splitFrontMatter(text: string): { page: Record<string, unknown>; body: string } {
  const m = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(\r?\n|$)/.exec(text);
  if (!m) return { page: {}, body: text };
  let page: Record<string, unknown> = {};
  try {
    const parsed: unknown = parseYaml(m[1]!);
    if (parsed && typeof parsed === 'object') page = parsed as Record<string, unknown>;
  } catch {
    // Jekyll would stop on it; the Liquid check still runs on the body
  }
  const lines = m[0].split('\n').length - 1;
  return { page, body: '\n'.repeat(lines) + text.slice(m[0].length) };
}

const LIQUID = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;

function shown(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 80 ? `${one.slice(0, 77)}…` : one;
}

/**
 * The first line that differs between a code node's source and its
 * rendering, cut to the part around the change.
 */
function changedLine(before: string, after: string): { was: string; now: string } {
  const a = before.split('\n');
  const b = after.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const was = a[i] ?? '';
    const now = b[i] ?? '';
    if (was === now) continue;
    let at = 0;
    while (at < was.length && was[at] === now[at]) at++;
    const from = Math.max(0, at - 30);
    const cut = (x: string) => `${from > 0 ? '…' : ''}${x.slice(from)}`;
    return { was: cut(was), now: cut(now) };
  }
  return { was: before, now: after };
}

function syntaxFinding(e: unknown, body: string): DocFinding {
  const message = e instanceof Error ? e.message : String(e);
  const at = /line:(\d+), col:(\d+)/.exec(message);
  const first = body.search(LIQUID);
  const where = at
    ? { line: Number(at[1]), column: Number(at[2]) }
    : positionOf(body, first < 0 ? 0 : first);
  return {
    ...where,
    severity: 'error',
    message: `Liquid cannot parse this page, so the site build fails: ${message.split(', line:')[0]}`,
  };
}

export function lintDoc(
  text: string,
  site: Record<string, unknown> = {},
  engine: Liquid = jekyllLiquid(),
  profiles: readonly Profile[] = [],
): DocFinding[] {
  const { page, body } = splitFrontMatter(text);
  return [
    ...liquidFindings(body, page, site, engine),
    ...versionWarnings(body, page, profiles),
  ].sort((a, b) => a.line - b.line || a.column - b.column);
}

function liquidFindings(
  body: string,
  page: Record<string, unknown>,
  site: Record<string, unknown>,
  engine: Liquid,
): DocFinding[] {
  let rendered: string;
  try {
    rendered = engine.parseAndRenderSync(body, { site, page });
  } catch (e) {
    return [syntaxFinding(e, body)];
  }
  if (rendered === body) return [];
  const counterparts = renderedCounterparts(fromMarkdown(body), rendered);
  const findings: DocFinding[] = [];
  for (const [node, now] of counterparts) {
    const start = node.position!.start.offset!;
    const raw = body.slice(start, node.position!.end.offset!);
    const tags = [...raw.matchAll(LIQUID)];
    if (tags.length === 0) continue;
    const same = now && now.type === node.type && now.value === node.value;
    if (same) continue;
    const change = now ? changedLine(node.value, now.value) : undefined;
    const block = node.type === 'code';
    const fix = block
      ? 'put {% raw %} on the line before the opening fence and {% endraw %} after the closing one'
      : 'write it as {% raw %}`…`{% endraw %}';
    for (const tag of tags) {
      findings.push({
        ...positionOf(body, start + tag.index!),
        severity: 'error',
        message: `${shown(tag[0])} inside ${block ? 'a code block' : 'inline code'} is Liquid: the site replaces it${change ? `, so readers see "${shown(change.now)}" where the source has "${shown(change.was)}"` : ' and the code is no longer there'}; ${fix}.`,
      });
    }
  }
  return findings;
}
