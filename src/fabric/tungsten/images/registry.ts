/**
 * A client of the registry HTTP API (the OCI distribution spec, Docker Hub's
 * Bearer token flow) that pulls an image's linux/amd64 manifest, config and
 * layers into a content-addressed blob store on the runner, each blob checked
 * against its digest. Nodes then load the images from files the runner
 * pushed, so they never pull from Docker Hub themselves.
 */
import { createHash } from 'node:crypto';
import { InfraError } from '../../../errors.js';
import { sleep } from '../../../remote/wait.js';

export interface ImageRef {
  /** as the manifest names it, e.g. docker.io/opensdn/opensdn-controller-control:2025-11-03 */
  ref: string;
  /** the host the API answers on (Docker Hub's is registry-1.docker.io) */
  host: string;
  /** e.g. opensdn/opensdn-controller-control, library/busybox */
  repository: string;
  /** a tag or a sha256 digest */
  reference: string;
}

const DOCKER_HUB = 'registry-1.docker.io';

/**
 * An image reference as a container runtime reads it: no registry host means
 * Docker Hub, a single name there means library/, no tag means latest.
 */
export function parseImageRef(text: string): ImageRef {
  const m =
    /^(?:([a-z0-9.-]+(?::\d+)?|localhost(?::\d+)?)\/)?([a-z0-9._/-]+?)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[0-9a-f]{64}))?$/.exec(
      text,
    );
  if (!m) throw new InfraError(`${text}: not an image reference`);
  const [, first, rest, tag, digest] = m;
  // a first part without a dot or port is a Docker Hub namespace, not a host
  const namespace = first !== undefined && !/[.:]/.test(first) && first !== 'localhost';
  const host = namespace ? undefined : first;
  const path = namespace ? `${first}/${rest}` : rest;
  const hub = !host || host === 'docker.io' || host === 'index.docker.io';
  const repository = hub && !path!.includes('/') ? `library/${path}` : path!;
  const reference = digest ?? tag ?? 'latest';
  const shown = `${hub ? 'docker.io' : host}/${repository}${digest ? `@${digest}` : `:${reference}`}`;
  return { ref: shown, host: hub ? DOCKER_HUB : host!, repository, reference };
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string; variant?: string };
}

interface ManifestDoc {
  mediaType?: string;
  manifests?: Descriptor[];
  config?: Descriptor;
  layers?: Descriptor[];
}

/** What the store needs to hold for one image: its config and layers, by digest. */
export interface PulledImage {
  ref: string;
  config: Descriptor;
  layers: Descriptor[];
}

/** Where pulled blobs go (a directory by digest on the runner: store.ts). */
export interface BlobSink {
  /** the blob is there and whole */
  has(digest: string): Promise<boolean>;
  /** keep `body` under `digest` only if its bytes hash to it; else throw naming what */
  put(digest: string, body: ReadableStream<Uint8Array>, what: string): Promise<void>;
}

export interface RegistryAuth {
  /** the registry host these credentials are for (docker.io means Docker Hub) */
  host: string;
  username: string;
  password: string;
}

/** Docker's rule: a registry on the loopback is spoken to over plain HTTP. */
const scheme = (host: string) =>
  /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(host) ? 'http' : 'https';

/** The parameters of a WWW-Authenticate challenge, e.g. Bearer realm="…",service="…",scope="…". */
function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const [, kind = '', rest = ''] = /^(\w+)\s*(.*)$/.exec(header.trim()) ?? [];
  const params: Record<string, string> = {};
  for (const m of rest.matchAll(/(\w+)="([^"]*)"/g)) params[m[1]!] = m[2]!;
  return { scheme: kind.toLowerCase(), params };
}

/** A failure another try may not see: the network, a 5xx, a body cut short, bytes that do not hash. */
export class TransientPullError extends InfraError {}

export interface RegistryClientOptions {
  fetch?: typeof fetch;
  /** per request, body included; default 10 min (a layer of hundreds of MiB) */
  timeoutMs?: number;
  /** the waits before each further try of a request or blob; default 2 s and 10 s */
  retryDelaysMs?: readonly number[];
}

export class RegistryClient {
  /** manifests fetched (what Docker Hub's pull limit counts); blobs are not counted there */
  manifestGets = 0;
  private readonly tokens = new Map<string, string>();
  private readonly get: typeof fetch;
  private readonly timeoutMs: number;
  private readonly retryDelaysMs: readonly number[];

  constructor(
    private readonly auth?: RegistryAuth,
    options: RegistryClientOptions = {},
  ) {
    this.get = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 600_000;
    this.retryDelaysMs = options.retryDelaysMs ?? [2_000, 10_000];
  }

  /** `fn` again after each delay while it fails transiently; the last failure says how many tries. */
  private async retrying<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (!(e instanceof TransientPullError)) throw e;
        if (attempt >= this.retryDelaysMs.length) {
          throw new InfraError(`${e.message} (${attempt + 1} tries)`, { cause: e });
        }
        await sleep(this.retryDelaysMs[attempt]!);
      }
    }
  }

  private credentialsFor(host: string): RegistryAuth | undefined {
    const a = this.auth;
    if (!a) return undefined;
    const same = parseImageRef(`${a.host}/x/y`).host === host;
    return same ? a : undefined;
  }

  private async token(image: ImageRef, challenge: string): Promise<string> {
    const { scheme: kind, params } = parseChallenge(challenge);
    const creds = this.credentialsFor(image.host);
    const basic = creds
      ? `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`
      : undefined;
    if (kind === 'basic') {
      if (!basic) {
        throw new InfraError(
          `${image.ref}: ${image.host} asks for a user and password; set registry.username and the registry-password input`,
        );
      }
      return basic;
    }
    if (kind !== 'bearer' || !params.realm) {
      throw new InfraError(
        `${image.ref}: the registry's challenge is not understood: ${challenge}`,
      );
    }
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', params.scope ?? `repository:${image.repository}:pull`);
    const r = await this.request(url.toString(), basic ? { authorization: basic } : {}, image.ref);
    if (!r.ok) {
      throw new InfraError(
        `${image.ref}: the registry's token service ${url.origin} answered HTTP ${r.status}${r.status === 401 ? ' (check the registry user and password)' : ''}`,
      );
    }
    const body = (await r.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new InfraError(`${image.ref}: the token service gave no token`);
    return `Bearer ${token}`;
  }

  private async request(url: string, headers: Record<string, string>, what: string) {
    return this.get(url, { headers, signal: AbortSignal.timeout(this.timeoutMs) }).catch(
      (e: unknown) => {
        throw new TransientPullError(
          `${what}: ${url} could not be reached: ${e instanceof Error ? e.message : String(e)}`,
        );
      },
    );
  }

  /** A GET on the repository's API, answering one auth challenge with a token. */
  private async api(image: ImageRef, path: string, accept?: string): Promise<Response> {
    const url = `${scheme(image.host)}://${image.host}/v2/${image.repository}/${path}`;
    const key = `${image.host}/${image.repository}`;
    const headers = (): Record<string, string> => ({
      ...(accept ? { accept } : {}),
      ...(this.tokens.has(key) ? { authorization: this.tokens.get(key)! } : {}),
    });
    let r = await this.request(url, headers(), image.ref);
    const challenge = r.headers.get('www-authenticate');
    if (r.status === 401 && challenge) {
      await r.body?.cancel();
      this.tokens.set(key, await this.token(image, challenge));
      r = await this.request(url, headers(), image.ref);
    }
    if (r.status === 429) {
      // Docker Hub's pull limit: trying again within the hour only counts against it
      const body = (await r.text()).slice(0, 200).trim();
      throw new InfraError(
        `${image.ref}: ${image.host} refused the pull with HTTP 429 (its pull limit${body ? `: ${body}` : ''}); give registry credentials (registry.username and the registry-password input), or set registry.mirror`,
      );
    }
    if (!r.ok) {
      await r.body?.cancel();
      const message = `${image.ref}: ${url} answered HTTP ${r.status}`;
      throw r.status >= 500 ? new TransientPullError(message) : new InfraError(message);
    }
    return r;
  }

  private async manifest(image: ImageRef, reference: string): Promise<ManifestDoc> {
    const bytes = await this.retrying(async () => {
      this.manifestGets++;
      const r = await this.api(image, `manifests/${reference}`, MANIFEST_TYPES.join(', '));
      return Buffer.from(await r.arrayBuffer());
    });
    if (reference.startsWith('sha256:')) checkDigest(reference, bytes, image.ref);
    return JSON.parse(bytes.toString('utf8')) as ManifestDoc;
  }

  /** The image's linux/amd64 config and layers, every blob in `sink` and checked. */
  async pull(text: string, sink: BlobSink): Promise<PulledImage> {
    const image = parseImageRef(text);
    let doc = await this.manifest(image, image.reference);
    if (doc.manifests) {
      const amd64 = doc.manifests.find(
        (m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64',
      );
      if (!amd64) throw new InfraError(`${image.ref}: no linux/amd64 image in its index`);
      doc = await this.manifest(image, amd64.digest);
    }
    if (!doc.config || !doc.layers) {
      throw new InfraError(
        `${image.ref}: its manifest (${doc.mediaType ?? 'no media type'}) names no config or layers; it is not an image this tool can load`,
      );
    }
    for (const blob of [doc.config, ...doc.layers]) {
      if (await sink.has(blob.digest)) continue;
      await this.retrying(async () => {
        const r = await this.api(image, `blobs/${blob.digest}`);
        await sink.put(blob.digest, r.body!, `${image.ref}: blob ${blob.digest}`);
      });
    }
    return { ref: image.ref, config: doc.config, layers: doc.layers };
  }
}

function checkDigest(digest: string, bytes: Buffer, what: string): void {
  const got = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (got !== digest) throw new InfraError(`${what}: the manifest ${digest} arrived as ${got}`);
}
