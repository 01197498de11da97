/**
 * A real container registry for the tests: Debian's docker-registry (the
 * CNCF distribution registry) on 127.0.0.1, its storage in a temporary
 * directory, seeded over its own HTTP API with small images built here (real
 * tar layers, gzip, a config whose diff_ids are the layers' uncompressed
 * digests), optionally behind an index with linux/amd64 and linux/arm64.
 * `tokenGate` puts Docker Hub's Bearer flow in front of it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { createServer as netServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Cleanup } from '../../remote/harness.js';
import { needsTool } from '../../support/requirements.js';

/** Why `suite` cannot use a real registry here (Debian's docker-registry, and skopeo to check archives), or undefined. */
export function registryUnavailable(suite: string): string | undefined {
  return (
    needsTool(suite, 'docker-registry', 'docker-registry') ?? needsTool(suite, 'skopeo', 'skopeo')
  );
}

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function freePort(): Promise<number> {
  const s = netServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface RegistryServer {
  /** host:port, as an image reference names it */
  host: string;
  url: string;
  /** every request the registry logged is not kept; these are the seeding helper's */
  push(
    repository: string,
    tag: string,
    files: Record<string, string>,
    options?: { index?: boolean },
  ): Promise<SeededImage>;
}

export interface SeededImage {
  ref: string;
  config: string;
  layers: string[];
  diffIds: string[];
}

export async function startRegistry(cleanup: Cleanup, dir: string): Promise<RegistryServer> {
  const port = await freePort();
  const storage = join(dir, 'storage');
  mkdirSync(storage, { recursive: true });
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log: { level: error }',
      `storage: { filesystem: { rootdirectory: ${storage} }, delete: { enabled: true } }`,
      `http: { addr: 127.0.0.1:${port} }`,
      '',
    ].join('\n'),
  );
  const child = spawn('docker-registry', ['serve', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  cleanup.add(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ok = await fetch(`${url}/v2/`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (i > 100 || child.exitCode !== null)
      throw new Error(`docker-registry did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  const blob = async (repository: string, data: Buffer): Promise<string> => {
    const digest = sha(data);
    const start = await fetch(`${url}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
    if (start.status !== 202) throw new Error(`upload start: ${start.status}`);
    const location = new URL(start.headers.get('location')!, url);
    location.searchParams.set('digest', digest);
    const put = await fetch(location, {
      method: 'PUT',
      body: new Uint8Array(data),
      headers: { 'content-type': 'application/octet-stream' },
    });
    if (put.status !== 201) throw new Error(`upload ${digest}: ${put.status} ${await put.text()}`);
    return digest;
  };
  const manifest = async (repository: string, reference: string, doc: object, type: string) => {
    const body = JSON.stringify(doc);
    const r = await fetch(`${url}/v2/${repository}/manifests/${reference}`, {
      method: 'PUT',
      body,
      headers: { 'content-type': type },
    });
    if (r.status !== 201)
      throw new Error(`manifest ${repository}:${reference}: ${r.status} ${await r.text()}`);
    return { digest: sha(body), size: Buffer.byteLength(body) };
  };

  return {
    host: `127.0.0.1:${port}`,
    url,
    async push(repository, tag, files, options = {}) {
      // one layer per file: a real tar of it, gzipped
      const layerDir = join(dir, 'layers', `${repository.replace(/\//g, '_')}-${tag}`);
      const layers: { digest: string; size: number; diffId: string }[] = [];
      for (const [name, content] of Object.entries(files)) {
        const d = join(layerDir, name);
        mkdirSync(d, { recursive: true });
        writeFileSync(join(d, name), content);
        const tar = execFileSync('tar', [
          '--mtime=@0',
          '--owner=0',
          '--group=0',
          '-C',
          d,
          '-cf',
          '-',
          name,
        ]);
        const gz = gzipSync(tar);
        layers.push({ digest: await blob(repository, gz), size: gz.length, diffId: sha(tar) });
      }
      const config = Buffer.from(
        JSON.stringify({
          architecture: 'amd64',
          os: 'linux',
          config: { Cmd: ['/bin/sh'] },
          rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
        }),
      );
      const configDigest = await blob(repository, config);
      const type = 'application/vnd.docker.distribution.manifest.v2+json';
      const doc = {
        schemaVersion: 2,
        mediaType: type,
        config: {
          mediaType: 'application/vnd.docker.container.image.v1+json',
          size: config.length,
          digest: configDigest,
        },
        layers: layers.map((l) => ({
          mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
          size: l.size,
          digest: l.digest,
        })),
      };
      if (options.index) {
        const amd64 = await manifest(repository, `${tag}-amd64`, doc, type);
        // another platform first, so picking the first entry would be wrong
        const arm = await manifest(repository, `${tag}-arm64`, { ...doc, layers: [] }, type);
        const listType = 'application/vnd.docker.distribution.manifest.list.v2+json';
        await manifest(
          repository,
          tag,
          {
            schemaVersion: 2,
            mediaType: listType,
            manifests: [
              { mediaType: type, ...arm, platform: { os: 'linux', architecture: 'arm64' } },
              { mediaType: type, ...amd64, platform: { os: 'linux', architecture: 'amd64' } },
            ],
          },
          listType,
        );
      } else {
        await manifest(repository, tag, doc, type);
      }
      return {
        ref: `127.0.0.1:${port}/${repository}:${tag}`,
        config: configDigest,
        layers: layers.map((l) => l.digest),
        diffIds: layers.map((l) => l.diffId),
      };
    },
  };
}

export interface TokenGate {
  host: string;
  /** Basic credentials the token service was given, decoded (user:password), per request */
  tokenRequests: string[];
  /** manifest GETs that reached the registry */
  manifestGets: number;
  /** the next `count` authorized API requests answer `status` with `body` instead */
  fail: { status: number; count: number; body?: string };
  /** authorized API requests answered with a failure */
  failed: number;
  /**
   * As Docker Hub does: blob GETs answered with a 307 to another origin (its
   * CDN, with a signed URL), which serves the blob. Counts what it served and
   * how many of those requests carried an Authorization header.
   */
  cdn: { redirect: boolean; served: number; withAuthorization: number };
}

/**
 * Docker Hub's auth in front of `registry`: the API answers 401 with a Bearer
 * challenge naming a token service; that service wants `user`/`password`
 * and gives a token the API then takes.
 */
export async function tokenGate(
  cleanup: Cleanup,
  registry: RegistryServer,
  user: string,
  password: string,
): Promise<TokenGate> {
  const token = 'tok-standin-0123';
  const gate: TokenGate = {
    host: '',
    tokenRequests: [],
    manifestGets: 0,
    fail: { status: 503, count: 0 },
    failed: 0,
    cdn: { redirect: false, served: 0, withAuthorization: 0 },
  };
  const cdn: Server = createServer((req, res) => {
    gate.cdn.served++;
    if (req.headers.authorization) gate.cdn.withAuthorization++;
    const path = new URL(req.url!, 'http://x').pathname.replace(/^\/cdn/, '');
    const upstream = httpRequest(`${registry.url}${path}`, { method: 'GET' }, (up) => {
      res.writeHead(up.statusCode!, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    upstream.end();
  });
  await new Promise<void>((r) => cdn.listen(0, '127.0.0.1', r));
  const cdnOrigin = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;
  cleanup.add(() => new Promise<void>((r) => cdn.close(() => r())));
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    if (u.pathname === '/token') {
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const given = basic ? Buffer.from(basic, 'base64').toString() : '';
      gate.tokenRequests.push(
        `${given} ${u.searchParams.get('service')} ${u.searchParams.get('scope')}`,
      );
      if (given !== `${user}:${password}`) {
        res.writeHead(401).end('{"details":"incorrect username or password"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
      return;
    }
    if (req.headers.authorization !== `Bearer ${token}`) {
      const repo = /^\/v2\/(.+)\/(manifests|blobs)\//.exec(u.pathname)?.[1] ?? '';
      res
        .writeHead(401, {
          'www-authenticate': `Bearer realm="http://${gate.host}/token",service="registry.test",scope="repository:${repo}:pull"`,
        })
        .end();
      return;
    }
    if (gate.fail.count > 0) {
      gate.fail.count--;
      gate.failed++;
      res
        .writeHead(gate.fail.status, { 'content-type': 'application/json' })
        .end(gate.fail.body ?? '');
      return;
    }
    if (/\/manifests\//.test(u.pathname)) gate.manifestGets++;
    if (gate.cdn.redirect && /\/blobs\/sha256:/.test(u.pathname)) {
      res.writeHead(307, { location: `${cdnOrigin}/cdn${u.pathname}?signature=standin` }).end();
      return;
    }
    const upstream = httpRequest(
      `${registry.url}${req.url}`,
      { method: req.method, headers: { accept: req.headers.accept ?? '*/*' } },
      (up) => {
        res.writeHead(up.statusCode!, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  gate.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  cleanup.add(() => new Promise<void>((r) => server.close(() => r())));
  return gate;
}
