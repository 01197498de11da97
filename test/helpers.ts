import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError, UserErrors } from '../src/errors.js';

/** Every directory tempDir made in this test file: test/support/tempCleanup.ts removes them after it. */
const madeDirs: string[] = [];

export function tempDir(prefix = 'te-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  madeDirs.push(dir);
  return dir;
}

/** Remove what tempDir made; what cannot be removed (still mounted, say) is named, not fatal. */
export function removeTempDirs(): string[] {
  const kept: string[] = [];
  for (const dir of madeDirs.splice(0)) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch (e) {
      kept.push(`${dir}: ${(e as Error).message}`);
    }
  }
  return kept;
}

export function writeTemp(name: string, text: string): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  return path;
}

/** The messages a failing call raised as user errors (throws if it did not fail that way). */
export function userErrorMessages(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserErrors) return e.errors.map((x) => x.message);
    if (e instanceof UserError) return [e.message];
    throw e;
  }
  throw new Error('expected a user error, but the call succeeded');
}
