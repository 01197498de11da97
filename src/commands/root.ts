/**
 * The local provider needs root. When the CLI is not root but passwordless
 * sudo works (a GitHub-hosted runner, a developer's sudoers), it runs itself
 * again under `sudo -n` with the same arguments; otherwise the provider's
 * preflight says, in one sentence, to run it with sudo.
 */
import { spawn, spawnSync } from 'node:child_process';
import { loadSiteFile } from '../config/load.js';
import type { ExitCodeValue } from '../errors.js';
import { ExitCode } from '../errors.js';
import { isRoot } from '../providers/local/sys.js';

export function passwordlessSudo(): boolean {
  const r = spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore', timeout: 10_000 });
  return r.status === 0;
}

/** Whether a site file (path or inline YAML) has local sites, which need root. */
export async function sitesNeedRoot(sites: string): Promise<boolean> {
  try {
    return (await loadSiteFile(sites)).sites.some((s) => s.provider === 'local');
  } catch {
    return false; // the command itself reports the bad file
  }
}

/** Whether this process should hand over to a root copy of itself. */
export function shouldReexecAsRoot(needsRoot: boolean): boolean {
  return needsRoot && !isRoot() && process.argv[1] !== undefined && passwordlessSudo();
}

/** Run this CLI again as root with `args`; resolves with its exit code. */
export function reexecAsRoot(args: readonly string[]): Promise<ExitCodeValue> {
  return new Promise((resolve) => {
    const child = spawn(
      'sudo',
      ['-n', '--preserve-env', '--', process.execPath, process.argv[1]!, ...args],
      { stdio: 'inherit' },
    );
    const forward = (sig: NodeJS.Signals) => child.kill(sig);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('close', (code) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve((code ?? ExitCode.infrastructure) as ExitCodeValue);
    });
    child.on('error', () => resolve(ExitCode.infrastructure));
  });
}
