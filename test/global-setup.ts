import { execFileSync } from 'node:child_process';

/** Tests that run the bundled entry points use a fresh build of src/, never a stale dist/. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs', '.test-dist'], { stdio: 'inherit' });
}
