/**
 * The TF manifest, rendered from the plan: fill the profile's placeholders,
 * then set ConfigMap keys by editing the parsed multi-document YAML (never by
 * sed), leaving every other document byte for byte as it was. A rendered
 * manifest that still holds a `{{ … }}` is refused, naming the placeholder.
 */
import { parseAllDocuments, Scalar } from 'yaml';
import type { Document } from 'yaml';
import { UserError, UserErrors } from '../../errors.js';

export interface ConfigMapEdit {
  name: string;
  namespace: string;
  data: Record<string, string>;
}

export interface ManifestRenderInput {
  /** the manifest's text as published */
  text: string;
  /** where it came from (path or URL), for messages */
  source: string;
  /** the profile's name, for messages */
  profile: string;
  placeholders: Record<string, string>;
  edits: ConfigMapEdit[];
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;
const ANY_PLACEHOLDER = /\{\{.*?\}\}/g;

export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

export function renderManifest(input: ManifestRenderInput): string {
  const filled = input.text.replace(PLACEHOLDER, (whole, name: string) =>
    Object.hasOwn(input.placeholders, name) ? input.placeholders[name]! : whole,
  );
  refuseLeftovers(filled, input);

  const docs = parseAllDocuments(filled);
  if (!Array.isArray(docs)) return filled;
  const broken = docs.flatMap((d) => d.errors);
  if (broken.length > 0) {
    const e = broken[0]!;
    const line = e.linePos?.[0]?.line;
    throw new UserError(
      `${input.source}${line ? `:${line}` : ''}: the rendered manifest is not valid YAML (${e.message.split('\n')[0]}); check the manifest at that line.`,
    );
  }

  const pending = new Map(input.edits.map((e) => [`${e.namespace}/${e.name}`, e]));
  const changed = new Set<number>();
  docs.forEach((doc, i) => {
    const meta = configMapIdentity(doc);
    if (!meta) return;
    const edit = pending.get(`${meta.namespace}/${meta.name}`);
    if (!edit) return;
    for (const [key, value] of Object.entries(edit.data)) {
      const node = new Scalar(value);
      node.type = Scalar.QUOTE_DOUBLE;
      doc.setIn(['data', key], node);
    }
    pending.delete(`${meta.namespace}/${meta.name}`);
    changed.add(i);
  });
  if (pending.size > 0) {
    const missing = [...pending.values()].map((e) => `${e.namespace}/${e.name}`).join(', ');
    throw new UserError(
      `${input.source}: the manifest has no ConfigMap ${missing}, which profile ${input.profile} expects to edit; use the manifest the profile names or update the profile.`,
    );
  }
  return reassemble(filled, docs, changed);
}

function refuseLeftovers(text: string, input: ManifestRenderInput): void {
  const errors: UserError[] = [];
  const lines = text.split('\n');
  const seen = new Set<string>();
  lines.forEach((line, i) => {
    for (const m of line.matchAll(ANY_PLACEHOLDER)) {
      if (seen.has(m[0])) continue;
      seen.add(m[0]);
      const known = Object.keys(input.placeholders).join(', ');
      errors.push(
        new UserError(
          `${input.source}:${i + 1}: placeholder ${m[0]} is not filled by profile ${input.profile} (it fills ${known}); add it to the profile's tf.manifest.placeholders or remove it from the manifest.`,
        ),
      );
    }
  });
  if (errors.length > 0) throw new UserErrors(errors);
}

function configMapIdentity(doc: Document): { name: string; namespace: string } | undefined {
  const js = doc.toJS() as
    { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } } | null | undefined;
  if (!js || js.kind !== 'ConfigMap' || typeof js.metadata?.name !== 'string') return undefined;
  const namespace = typeof js.metadata.namespace === 'string' ? js.metadata.namespace : 'default';
  return { name: js.metadata.name, namespace };
}

/** Original text for untouched documents, re-serialised text for edited ones. */
function reassemble(text: string, docs: Document.Parsed[], changed: Set<number>): string {
  const starts = docs.map((d, i) => (i === 0 ? 0 : d.range[0]));
  return docs
    .map((doc, i) => {
      const original = text.slice(starts[i], i + 1 < docs.length ? starts[i + 1] : text.length);
      if (!changed.has(i)) return original;
      let out = doc.toString({ lineWidth: 0 });
      if (/^---/.test(original) && !/^---/.test(out)) out = `---\n${out}`;
      return out;
    })
    .join('');
}
