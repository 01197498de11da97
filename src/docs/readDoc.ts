/** A Markdown doc the user named, read as text; anything else is one sentence naming it (exit 2). */
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { UserError } from '../errors.js';

const MARKDOWN = new Set(['.md', '.markdown', '.mdown', '.mkd']);

export async function readDoc(file: string): Promise<string> {
  if (!MARKDOWN.has(extname(file).toLowerCase())) {
    throw new UserError(
      `${file}: not a Markdown file (.md or .markdown); lint-docs reads Markdown docs only.`,
    );
  }
  const info = await stat(file).catch(() => undefined);
  if (!info) throw new UserError(`${file}: no such file; pass the paths of Markdown docs.`);
  if (!info.isFile())
    throw new UserError(`${file}: not a regular file; pass the paths of Markdown docs.`);
  const bytes = await readFile(file);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (text.includes('\uFFFD')) throw new UserError(`${file}: not UTF-8 text; save it as UTF-8.`);
  return text;
}
