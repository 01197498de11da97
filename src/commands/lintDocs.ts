/**
 * `tungsten-e2e lint-docs [--site-root DIR] [--format text|json] FILE…`:
 * the Liquid a Jekyll site would eat inside the code of Markdown docs, one
 * line per finding (`file:line:col: message`), JSON, and GitHub annotations
 * on the changed files when running in Actions. Exit 0 clean, 1 findings, 2
 * bad input (a file that cannot be read or is not Markdown, a bad flag).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { listProfiles, loadProfile } from '../config/profile.js';
import { jekyllLiquid, lintDoc, type DocFinding } from '../docs/lintDocs.js';
import { readDoc } from '../docs/readDoc.js';
import { ExitCode, UserError, UserErrors, type ExitCodeValue } from '../errors.js';
import type { CommandIO } from './io.js';

export interface LintDocsOptions {
  files: string[];
  siteRoot?: string;
  format?: string;
  env?: NodeJS.ProcessEnv;
}

export interface FileFinding extends DocFinding {
  file: string;
}

async function siteVariables(root: string | undefined): Promise<Record<string, unknown>> {
  if (!root) return {};
  const file = join(root, '_config.yml');
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return {};
  try {
    const parsed: unknown = parseYaml(text);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    throw new UserError(
      `${file}: not valid YAML, so the site's variables cannot be read; fix it or leave out --site-root.`,
    );
  }
}

/** GitHub's workflow command escaping (as @actions/core does it). */
const escapeData = (s: string) =>
  s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function annotation(f: FileFinding): string {
  return `::${f.severity} file=${escapeProperty(f.file)},line=${f.line},col=${f.column},title=${escapeProperty('tungsten-e2e lint-docs')}::${escapeData(f.message)}`;
}

/** The marker of the sticky PR comment that holds lint-docs' findings. */
export const LINT_DOCS_MARKER = '<!-- tungsten-e2e:lint-docs -->';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The findings as a PR comment's body: the marker, a verdict line, a table. */
export function findingsMarkdown(findings: readonly FileFinding[], files: number): string {
  const errors = findings.filter((f) => f.severity === 'error').length;
  const of = `${files} file${files === 1 ? '' : 's'}`;
  const head =
    findings.length === 0
      ? `### ✅ tungsten-e2e lint-docs: no findings in ${of}`
      : `### ${errors ? '❌' : '⚠️'} tungsten-e2e lint-docs: ${errors} error${errors === 1 ? '' : 's'}, ${findings.length - errors} warning${findings.length - errors === 1 ? '' : 's'} in ${of}`;
  const rows = findings.map(
    (f) => `| \`${cell(f.file)}:${f.line}:${f.column}\` | ${f.severity} | ${cell(f.message)} |`,
  );
  return [
    LINT_DOCS_MARKER,
    head,
    ...(rows.length ? ['', '| where | severity | finding |', '| --- | --- | --- |', ...rows] : []),
    '',
  ].join('\n');
}

export async function lintDocsCommand(
  options: LintDocsOptions,
  io: CommandIO,
): Promise<ExitCodeValue> {
  const format = options.format ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'markdown') {
    throw new UserError(`lint-docs: --format is "${format}"; it must be text, json or markdown.`);
  }
  if (options.files.length === 0) {
    throw new UserError(
      'lint-docs needs the Markdown files to check; usage: tungsten-e2e lint-docs [--site-root DIR] [--format text|json|markdown] FILE...',
    );
  }
  const errors: UserError[] = [];
  const texts: [string, string][] = [];
  for (const file of options.files) {
    try {
      texts.push([file, await readDoc(file)]);
    } catch (e) {
      if (e instanceof UserError) errors.push(e);
      else throw e;
    }
  }
  if (errors.length > 0) throw errors.length === 1 ? errors[0]! : new UserErrors(errors);
  const site = await siteVariables(options.siteRoot);
  const engine = jekyllLiquid();
  const profiles = listProfiles().map((name) => loadProfile(name));
  const findings: FileFinding[] = texts.flatMap(([file, text]) =>
    lintDoc(text, site, engine, profiles).map((f) => ({ file, ...f })),
  );
  const env = options.env ?? process.env;
  if (format === 'json') io.stdout(`${JSON.stringify(findings, null, 2)}\n`);
  else if (format === 'markdown') io.stdout(findingsMarkdown(findings, texts.length));
  else {
    for (const f of findings)
      io.stdout(`${f.file}:${f.line}:${f.column}: ${f.severity}: ${f.message}\n`);
    io.stdout(
      `lint-docs: ${findings.length} finding${findings.length === 1 ? '' : 's'} in ${texts.length} file${texts.length === 1 ? '' : 's'}\n`,
    );
  }
  // annotations go with the text output only: JSON and a comment's markdown must stay what they are
  if (format === 'text' && env.GITHUB_ACTIONS === 'true') {
    for (const f of findings) io.stdout(`${annotation(f)}\n`);
  }
  return findings.some((f) => f.severity === 'error') ? ExitCode.checksFailed : ExitCode.ok;
}
