/** What the docs checks read of a Markdown page: its code, and where things are in the text. */
import type { Code, InlineCode, Root } from 'mdast';

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
