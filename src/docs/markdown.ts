/** What the docs checks read of a Markdown page: its code, and where things are in the text. */
import type { Code, InlineCode, Root } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';

export type CodeNode = Code | InlineCode;

/** Every fenced or indented code block and inline code span, in document order. */
export function codeNodes(tree: Root): CodeNode[] {
  const out: CodeNode[] = [];
  const walk = (node: { type: string; children?: unknown[] }) => {
    if (node.type === 'code' || node.type === 'inlineCode') out.push(node as CodeNode);
    for (const child of (node.children ?? []) as { type: string }[]) walk(child);
  };
  walk(tree as unknown as { type: string; children: unknown[] });
  return out;
}

/** Line and column (1-based) of an offset in a text. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

/**
 * Each code node of the source tree with the one at the same place in the
 * rendered text (undefined where the rendering has fewer): how the docs
 * checks see what Liquid did to a page's code.
 */
export function renderedCounterparts(
  source: Root,
  rendered: string,
): Map<CodeNode, CodeNode | undefined> {
  const after = codeNodes(fromMarkdown(rendered));
  return new Map(codeNodes(source).map((node, i) => [node, after[i]]));
}
