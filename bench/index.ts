/**
 * `npm run bench -- <name> [args…]` runs bench/<name>.ts. Benchmarks measure
 * a figure and its baseline side by side in one run; performance claims come
 * from here, never from timed tests.
 */
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Benchmark {
  run(args: string[]): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name> [args]\navailable: ${available.join(', ')}`);
  process.exit(2);
}
const bench = (await import(`./${name}.js`)) as Benchmark;
await bench.run(args);
