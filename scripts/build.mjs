// Bundles the three entry points. Deterministic: same src, same output.
// `node scripts/build.mjs [outdir]` (default dist/; tests build into .test-dist/).
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';

const outdir = process.argv[2] ?? 'dist';
await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: { main: 'src/main.ts', post: 'src/post.ts', cli: 'src/cli.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  legalComments: 'none',
  logLevel: 'warning',
  // ssh2's optional native speed-ups; it falls back to pure JS without them.
  external: ['cpu-features', '*.node'],
  // CommonJS dependencies (ssh2, the cloud SDKs) use require, __dirname and
  // __filename. The latter two are substituted only where they are free
  // (`define`), so an ES module that declares its own __dirname (the Azure
  // SDK's `open`) keeps it instead of clashing with the banner's.
  define: { __dirname: '__teDirnameValue', __filename: '__teFilenameValue' },
  banner: {
    js: [
      "import { createRequire as __teCreateRequire } from 'node:module';",
      "import { fileURLToPath as __teFileURLToPath } from 'node:url';",
      "import { dirname as __teDirname } from 'node:path';",
      'const require = __teCreateRequire(import.meta.url);',
      'const __teFilenameValue = __teFileURLToPath(import.meta.url);',
      'const __teDirnameValue = __teDirname(__teFilenameValue);',
    ].join(' '),
  },
});
