/**
 * Which images a site's nodes need (every container and init container the
 * rendered TF manifest names, and the test pods' image), and the files the
 * runner pushes for them: the blobs once per node under blobs/sha256/, and
 * per image a directory with the docker-archive's manifest.json, the image's
 * reference, its blob list for tar and its sums for sha256sum. The install's
 * `images` step (install/steps.ts) reads exactly this.
 */
import { createHash } from 'node:crypto';
import { parseAllDocuments } from 'yaml';
import { parseImageRef } from './registry.js';
import { archiveManifest, blobName, type ImageStore, type StoredImage } from './store.js';

/** Every image the rendered manifest's pods run, then `extra` (the test pods'); each once, in order. */
export function manifestImages(rendered: string, extra: readonly string[] = []): string[] {
  const found: string[] = [];
  const visit = (node: unknown, key?: string): void => {
    if (Array.isArray(node)) {
      for (const item of node) {
        if (
          (key === 'containers' || key === 'initContainers') &&
          item &&
          typeof item === 'object'
        ) {
          const image = (item as { image?: unknown }).image;
          if (typeof image === 'string') found.push(image);
        }
        visit(item);
      }
    } else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) visit(v, k);
    }
  };
  for (const doc of parseAllDocuments(rendered)) {
    if ('toJS' in doc) visit(doc.toJS());
  }
  // by digest, an image cannot be loaded under its name: the nodes pull those
  return [...new Set([...found, ...extra])].filter(
    (r) => !parseImageRef(r).reference.startsWith('sha256:'),
  );
}

export interface PushedBlob {
  digest: string;
  size: number;
  /** on the runner */
  local: string;
  /** under the node's image directory */
  remote: string;
}

export interface NodeImageLayout {
  blobs: PushedBlob[];
  /** small files, under the node's image directory */
  files: { path: string; content: string }[];
}

/** The files a node gets for `images`, every blob once however many images share it. */
export function nodeImageLayout(
  images: readonly StoredImage[],
  store: ImageStore,
): NodeImageLayout {
  const blobs = new Map<string, PushedBlob>();
  const files: NodeImageLayout['files'] = [];
  const dirs: string[] = [];
  for (const image of images) {
    const parts = [image.config, ...image.layers];
    for (const b of parts) {
      blobs.set(b.digest, {
        digest: b.digest,
        size: b.size,
        local: store.blobPath(b.digest),
        remote: blobName(b.digest),
      });
    }
    const dir = `i-${createHash('sha256').update(image.ref).digest('hex').slice(0, 16)}`;
    dirs.push(dir);
    files.push(
      { path: `${dir}/manifest.json`, content: archiveManifest(image) },
      { path: `${dir}/ref`, content: `${image.ref}\n` },
      { path: `${dir}/files`, content: parts.map((b) => `${blobName(b.digest)}\n`).join('') },
      {
        path: `${dir}/sums`,
        content: parts
          .map((b) => `${b.digest.slice('sha256:'.length)}  ${blobName(b.digest)}\n`)
          .join(''),
      },
    );
  }
  // written last: the step loads what the list names
  files.push({ path: 'list', content: dirs.map((d) => `${d}\n`).join('') });
  return { blobs: [...blobs.values()], files };
}
