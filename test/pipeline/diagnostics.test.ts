/**
 * Diagnostics after a failed phase: what the fabric gathers per host, written
 * one file per host (0600, secrets masked); names that are not host names are
 * not written; silent hosts are named; a fabric that never answers is given
 * up after the deadline. (Gathered for real from BIRD and nft: the local CLI
 * test with dead-backend.)
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Fabric, FabricSite } from '../../src/fabric/fabric.js';
import { secrets } from '../../src/log.js';
import { writeDiagnostics } from '../../src/pipeline/diagnostics.js';
import { tempDir } from '../helpers.js';
import { idleFabric } from '../support/idleFabric.js';
import { localSites, testContext } from '../support/sites.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const fabricWith = (collectLogs: Fabric['collectLogs']): Fabric =>
  idleFabric(collectLogs ? { collectLogs } : {});

describe('writeDiagnostics', () => {
  it('writes each host that answered, masked and 0600, and names the hosts that did not', async () => {
    const { plan, sites: both } = localSites();
    const sites = both.slice(0, 1);
    const { ctx, logger } = testContext(plan);
    const dir = join(tempDir('te-diag-'), 'diagnostics');
    dirs.push(dir);
    secrets.add('registry-s3cret-value');
    const fabric = fabricWith(async (site: FabricSite) => ({
      [`${site.plan.name}-master`]:
        '### nft list ruleset\ntable inet x {}\npassword registry-s3cret-value\n',
      '../escape': 'not a host name',
    }));
    const written = await writeDiagnostics(fabric, sites, ctx, dir);
    expect(written).toEqual([join(dir, 'east-master.txt')]);
    expect(readdirSync(dir)).toEqual(['east-master.txt']);
    const text = readFileSync(join(dir, 'east-master.txt'), 'utf8');
    expect(text).toContain('table inet x {}');
    expect(text).not.toContain('registry-s3cret-value');
    expect(statSync(join(dir, 'east-master.txt')).mode & 0o777).toBe(0o600);
    expect(logger.lines).toContain('warn:diagnostics: no answer from east-worker-1');
  });

  it('gives up on a fabric that never answers, after the deadline, writing nothing', async () => {
    const { plan, sites: both } = localSites();
    const sites = both.slice(0, 1);
    const { ctx, logger } = testContext(plan);
    const dir = join(tempDir('te-diag-'), 'diagnostics');
    dirs.push(dir);
    const fabric = fabricWith(() => new Promise(() => {}));
    expect(await writeDiagnostics(fabric, sites, ctx, dir, 50)).toEqual([]);
    expect(logger.lines).toContain('warn:diagnostics: not gathered within 0.05s; none written');
  });

  it('a fabric without log collection writes nothing (the control)', async () => {
    const { plan, sites: both } = localSites();
    const sites = both.slice(0, 1);
    const { ctx } = testContext(plan);
    expect(await writeDiagnostics(fabricWith(undefined), sites, ctx, '/nonexistent/x')).toEqual([]);
  });
});
