/**
 * Tests that need a real part of this machine (root for network namespaces,
 * sshd, BIRD, nftables, busybox, curl). Outside CI a missing part skips them
 * and says why. In CI (`CI` set: GitHub sets it, and .ci/run exports it),
 * where .ci/run installs every part and runs as root, a missing part fails the
 * test file instead: a skip there would hide a broken layer behind a green run.
 */
import { findTool } from '../../src/providers/local/preflight.js';

export const IS_ROOT = process.getuid?.() === 0;

export const ROOT_REASON =
  'needs root (network namespaces, sshd, BIRD and nftables); run the tests as root, as CI does';

/**
 * `reason` is why `suite` cannot run here, or undefined when it can. Returns
 * the reason to skip with (and prints it); throws when `env.CI` is set.
 */
export function unavailable(
  suite: string,
  reason: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (!reason) return undefined;
  if (inCi(env)) {
    throw new Error(`${suite} must run in CI (CI is set), but it ${reason}.`);
  }
  console.warn(`skipped: ${suite}: ${reason}`);
  return reason;
}

/** CI as GitHub and most CI systems set it ("true"); "false" and "0" count as not set. */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return !!env.CI && !/^(false|0)$/i.test(env.CI);
}

/** Root, or why not: for suites that make namespaces, links and nftables tables. */
export function needsRoot(
  suite: string,
  env: NodeJS.ProcessEnv = process.env,
  root = IS_ROOT,
): string | undefined {
  return unavailable(suite, root ? undefined : ROOT_REASON, env);
}

/** A program on PATH (or in an sbin directory), or why not (with the Debian package that has it). */
export function needsTool(
  suite: string,
  tool: string,
  debianPackage: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return unavailable(
    suite,
    findTool(tool)
      ? undefined
      : `needs ${tool}, which is not installed (apt-get install ${debianPackage})`,
    env,
  );
}
