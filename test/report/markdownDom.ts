/** GitHub-flavoured markdown rendered to a DOM (marked + jsdom), to check what a reader sees. */
import { JSDOM } from 'jsdom';
import { marked } from 'marked';

export function renderDom(markdown: string): Document {
  const html = marked.parse(markdown, { gfm: true, async: false });
  return new JSDOM(`<!doctype html><body>${html}</body>`).window.document;
}

/** Every table as rows of cell texts (header row first). */
export function tables(doc: Document): string[][][] {
  return [...doc.querySelectorAll('table')].map((t) =>
    [...t.querySelectorAll('tr')].map((tr) =>
      [...tr.querySelectorAll('th,td')].map((c) => (c.textContent ?? '').trim()),
    ),
  );
}

/** The table whose header row starts with these cells. */
export function tableWithHeader(doc: Document, ...header: string[]): string[][] {
  const found = tables(doc).find((t) => header.every((h, i) => t[0]?.[i] === h));
  if (!found) throw new Error(`no table with header ${header.join(' | ')}`);
  return found;
}
