/**
 * `npm run bench -- <name> [args]` runs bench/<name>.ts (its exported main).
 * Benchmarks are scripts, not tests: they print figures, each beside its baseline.
 */
const [name, ...args] = process.argv.slice(2);
if (!name || !/^[a-z0-9-]+$/.test(name) || name === 'index') {
  console.error('usage: npm run bench -- <name> [args]   (runs bench/<name>.ts)');
  process.exit(2);
}
const mod = (await import(`./${name}.ts`)) as { main(args: string[]): Promise<void> };
await mod.main(args);
