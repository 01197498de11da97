/**
 * What a user is told to run, and what teardown left: commands that run as
 * printed on this machine (node with the absolute path of this package's
 * cli.js, since the package is not on PATH; sudo only where root is needed
 * and the reader is not root; every path absolute and quoted), and one
 * wording for resources left behind.
 */
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProviderName } from '../config/types.js';
import type { DestroyReport } from '../providers/provider.js';
import { quoteArg } from '../remote/quote.js';

/** Providers whose resources only root can delete (network namespaces on this host). */
export const ROOT_PROVIDERS: readonly ProviderName[] = ['local'];

const ENTRY_POINTS = new Set(['cli.js', 'main.js', 'post.js']);

/**
 * The absolute path of the cli.js next to the running bundle (main.js and
 * post.js of the action sit beside it); from the sources (tsx, tests) the
 * package's dist/cli.js.
 */
export function cliScript(argv1: string | undefined = process.argv[1]): string {
  if (argv1) {
    let entry = resolve(argv1);
    try {
      entry = realpathSync(entry); // an npm bin link
    } catch {
      // keep the path as given
    }
    const cli = join(dirname(entry), 'cli.js');
    if (ENTRY_POINTS.has(basename(entry)) && existsSync(cli)) return cli;
  }
  for (let dir = dirname(fileURLToPath(import.meta.url)); ;) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'cli.js');
    const parent = dirname(dir);
    if (parent === dir) return resolve('dist', 'cli.js');
    dir = parent;
  }
}

/** Who reads the message: root itself needs no sudo; a user whose run went through sudo does. */
export interface Reader {
  uid?: number;
  sudoUid?: string;
}

function currentReader(): Reader {
  const uid = process.getuid?.();
  return {
    ...(uid !== undefined ? { uid } : {}),
    ...(process.env.SUDO_UID ? { sudoUid: process.env.SUDO_UID } : {}),
  };
}

/** `node <cli.js>`, with sudo in front when the command needs root and the reader is not root. */
export function cliCommand(
  needsRoot: boolean,
  reader: Reader = currentReader(),
  cli: string = cliScript(),
): string {
  const rootAlready = reader.uid === 0 && reader.sudoUid === undefined;
  return `${needsRoot && !rootAlready ? 'sudo ' : ''}node ${quoteArg(cli)}`;
}

export function needsRoot(providers: readonly ProviderName[]): boolean {
  return providers.some((p) => ROOT_PROVIDERS.includes(p));
}

/** The exact command that deletes the run of a state directory. */
export function downCommandLine(
  stateDir: string,
  providers: readonly ProviderName[],
  reader?: Reader,
): string {
  return `${cliCommand(needsRoot(providers), reader)} down --state ${quoteArg(resolve(stateDir))}`;
}

type Remaining = DestroyReport['remaining'][number];

/** One resource teardown left: what, why, and how to delete it. */
export function remainingLine(r: Remaining): string {
  return `${r.resource.kind} ${r.resource.id}: ${r.error}; delete with: ${r.howToDelete}`;
}

/** What teardown left, one resource a line. */
export function remainingText(runId: string, remaining: readonly Remaining[]): string {
  return `teardown of run ${runId} left ${remaining.length} resources:\n${remaining
    .map((r) => `  ${remainingLine(r)}`)
    .join('\n')}`;
}
