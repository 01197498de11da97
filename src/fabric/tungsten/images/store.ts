/**
 * The runner's image store, under the artifact cache directory (so GitHub's
 * cache keeps it with the binaries): blobs by digest, shared by every image
 * that has them (TF's images share their base layers), and one record per
 * image reference naming its config and layers. A blob is trusted only when
 * its bytes hash to its name (checked once per run); a record whose blobs are
 * not all there and whole is pulled again.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { InfraError } from '../../../errors.js';
import {
  parseImageRef,
  TransientPullError,
  type BlobSink,
  type PulledImage,
  type RegistryClient,
} from './registry.js';

export interface StoredImage extends PulledImage {
  /** from the store, no registry asked */
  hit: boolean;
}

const hex = (digest: string) => {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!m) throw new InfraError(`${digest}: not a sha256 digest`);
  return m[1]!;
};

async function sha256Of(path: string): Promise<string | undefined> {
  const hash = createHash('sha256');
  try {
    await pipeline(createReadStream(path), hash);
  } catch {
    return undefined;
  }
  return `sha256:${hash.digest('hex')}`;
}

/** Where blobs live, below the store on the runner and below the image directory on a node. */
export const BLOB_DIR = 'blobs/sha256';
export const blobName = (digest: string): string => `${BLOB_DIR}/${hex(digest)}`;

export class ImageStore implements BlobSink {
  /** blobs verified in this process (each is hashed once per run, not per image) */
  private readonly verified = new Set<string>();

  constructor(readonly dir: string) {}

  /** A blob's file, by the name the nodes also use (blobName). */
  blobPath(digest: string): string {
    return join(this.dir, blobName(digest));
  }

  async has(digest: string): Promise<boolean> {
    if (this.verified.has(digest)) return true;
    const ok = (await sha256Of(this.blobPath(digest))) === digest;
    if (ok) this.verified.add(digest);
    return ok;
  }

  async put(digest: string, body: ReadableStream<Uint8Array>, what: string): Promise<void> {
    const path = this.blobPath(digest);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    const hash = createHash('sha256');
    const hashing = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(
        Readable.fromWeb(body as NodeReadableStream<Uint8Array>),
        hashing,
        createWriteStream(tmp, { mode: 0o644 }),
      );
      const got = `sha256:${hash.digest('hex')}`;
      if (got !== digest) {
        throw new TransientPullError(
          `${what}: checksum mismatch: arrived as ${got}; nothing was kept`,
        );
      }
      await rename(tmp, path);
      this.verified.add(digest);
    } catch (e) {
      if (e instanceof InfraError) throw e;
      throw new TransientPullError(
        `${what}: download failed: ${e instanceof Error ? e.message : String(e)}`,
      );
    } finally {
      await rm(tmp, { force: true });
    }
  }

  private recordPath(ref: string): string {
    return join(this.dir, 'refs', `${createHash('sha256').update(ref).digest('hex')}.json`);
  }

  /** The image from the store when its record and every blob are there and whole; else pulled. */
  async resolve(ref: string, client: RegistryClient): Promise<StoredImage> {
    const record = await readFile(this.recordPath(ref), 'utf8')
      .then((t) => JSON.parse(t) as PulledImage)
      .catch(() => undefined);
    if (record && record.ref === parseImageRef(ref).ref) {
      const whole = await Promise.all(
        [record.config, ...record.layers].map((b) => this.has(b.digest)),
      );
      if (whole.every(Boolean)) return { ...record, hit: true };
    }
    const pulled = await client.pull(ref, this);
    await mkdir(join(this.dir, 'refs'), { recursive: true });
    await writeFile(this.recordPath(ref), `${JSON.stringify(pulled, null, 2)}\n`);
    return { ...pulled, hit: false };
  }

  /** Every image, one after another (one registry, and its limits, at a time). */
  async resolveAll(
    refs: readonly string[],
    client: RegistryClient,
    /** after each image: a pull of many GB is never silent for long */
    onImage?: (image: StoredImage, done: number, of: number) => void,
  ): Promise<StoredImage[]> {
    const out: StoredImage[] = [];
    for (const ref of refs) {
      out.push(await this.resolve(ref, client));
      onImage?.(out.at(-1)!, out.length, refs.length);
    }
    return out;
  }
}

/**
 * What `docker load` and `ctr images import` read as a docker-archive: a
 * manifest.json naming the config and the layers by their path in the tar.
 */
export function archiveManifest(image: PulledImage): string {
  return `${JSON.stringify([
    {
      Config: blobName(image.config.digest),
      RepoTags: [image.ref],
      Layers: image.layers.map((l) => blobName(l.digest)),
    },
  ])}\n`;
}
