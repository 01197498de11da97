/**
 * After a failed phase: each host's diagnostics, as the fabric gathers them
 * (emulated: BIRD's protocols, routes and logs, the nft ruleset), written to
 * <dir>/<host>.txt with the run's secrets masked. Best effort and bounded: a
 * host that does not answer is named in the log, and the run's own error is
 * what the run reports either way.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Fabric, FabricContext, FabricSite } from '../fabric/fabric.js';
import { secrets } from '../log.js';

/** how long gathering may take across all sites */
export const DIAGNOSTICS_DEADLINE_MS = 30_000;

export async function writeDiagnostics(
  fabric: Fabric,
  sites: readonly FabricSite[],
  ctx: FabricContext,
  dir: string,
  deadlineMs = DIAGNOSTICS_DEADLINE_MS,
): Promise<string[]> {
  if (!fabric.collectLogs) return [];
  const collect = fabric.collectLogs.bind(fabric);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), deadlineMs);
  });
  try {
    const gathered = await Promise.race([
      Promise.all(sites.map((s) => collect(s, ctx).catch(() => ({})))),
      late,
    ]);
    if (gathered === 'late') {
      ctx.logger.warn(`diagnostics: not gathered within ${deadlineMs / 1000}s; none written`);
      return [];
    }
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const written: string[] = [];
    for (const [i, perHost] of gathered.entries()) {
      // edges run no fabric component to ask
      const expected = sites[i]!.machines.hosts.filter((h) => h.role !== 'edge').map((h) => h.name);
      for (const [host, text] of Object.entries(perHost)) {
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(host)) continue;
        const file = join(dir, `${host}.txt`);
        await writeFile(file, secrets.redact(text), { mode: 0o600 });
        written.push(file);
      }
      const silent = expected.filter((h) => !(h in perHost));
      if (silent.length > 0) {
        ctx.logger.warn(`diagnostics: no answer from ${silent.join(', ')}`);
      }
    }
    if (written.length > 0) {
      ctx.logger.info(`diagnostics: ${written.length} hosts' state written to ${dir}`);
    }
    return written;
  } finally {
    clearTimeout(timer);
  }
}
