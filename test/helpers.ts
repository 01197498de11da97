import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError, UserErrors } from '../src/errors.js';

export function tempDir(prefix = 'te-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
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
