/**
 * docs/aws.md's IAM policy against the code: every EC2 operation the
 * provider's source can send, and every one the tests saw it send, is allowed;
 * the policy allows nothing else; tag-on-create is allowed for exactly the
 * operations that send tags.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSiteFile } from '../../../src/config/load.js';
import { loadProfile } from '../../../src/config/profile.js';
import { memoryLogger } from '../../../src/log.js';
import { buildPlan } from '../../../src/plan/plan.js';
import type { ProviderContext } from '../../../src/providers/provider.js';
import { testKeyPair } from '../keys.js';
import { awsFixture } from './awsFixture.js';

interface Statement {
  Action: string | string[];
  Condition?: { StringEquals?: Record<string, string[]> };
}

function documentedPolicy(): Statement[] {
  const doc = readFileSync(join(import.meta.dirname, '../../../docs/aws.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Minimal IAM policy'));
  const block = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];
  if (!block) throw new Error('docs/aws.md has no JSON policy under "## Minimal IAM policy"');
  return (JSON.parse(block) as { Statement: Statement[] }).Statement;
}

function operationsInSource(): Set<string> {
  const dir = join(import.meta.dirname, '../../../src/providers/aws');
  const ops = new Set<string>();
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
    for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/new (\w+)Command\(/g)) {
      ops.add(m[1]!);
    }
  }
  return ops;
}

/** Everything the provider does, against the fake EC2; returns the operations sent. */
async function recordedOperations(): Promise<{ all: Set<string>; tagging: Set<string> }> {
  const f = awsFixture();
  try {
    const profile = loadProfile('tf-2018');
    const text = JSON.stringify({
      sites: [
        { name: 'east', provider: 'aws', region: 'us-east-1', spot: true },
        { name: 'west', provider: 'aws', region: 'eu-west-1' },
      ],
    });
    const plan = buildPlan(parseSiteFile(text, 'iam.yml'), profile);
    const ctx: ProviderContext = {
      runId: 'kiam01',
      expiresAt: new Date(f.clock.now() - 1000),
      sshPublicKey: testKeyPair('iam').public,
      stateDir: '/nonexistent',
      logger: memoryLogger(),
      signal: new AbortController().signal,
      recordResource: async () => {},
    };
    const provider = f.provider();
    await provider.preflight(plan.sites, plan, ctx);
    const sites = [];
    for (const s of plan.sites) sites.push(await provider.provision(s, plan, ctx));
    const edges = sites.map((s) => s.hosts.find((h) => h.role === 'edge')!);
    for (const [i, s] of plan.sites.entries()) {
      const peer = edges[1 - i]!;
      await provider.authorizeEdges(
        s,
        [{ site: peer.site, publicAddress: peer.publicAddress! }],
        ctx,
      );
    }
    const expired = await provider.listExpired(new Date(f.clock.now()), {
      ...ctx,
      regions: ['us-east-1', 'eu-west-1'],
    });
    expect(expired.map((r) => r.runId)).toEqual(['kiam01']);
    for (const w of f.worlds.values()) {
      w.leaveOnTermination.networkInterfaces = true;
      w.leaveOnTermination.volumes = true;
    }
    const report = await provider.destroy(
      { runId: 'kiam01', sites: plan.sites.map((s) => ({ name: s.name, region: s.region! })) },
      ctx,
    );
    expect(report.remaining).toEqual([]);
    const calls = [...f.worlds.values()].flatMap((w) => w.calls);
    return {
      all: new Set(calls.map((c) => c.operation)),
      tagging: new Set(
        calls
          .filter((c) => (c.input as { TagSpecifications?: unknown[] }).TagSpecifications?.length)
          .map((c) => c.operation),
      ),
    };
  } finally {
    await f.cleanup();
  }
}

describe('the documented IAM policy', () => {
  it('allows every EC2 operation the provider sends, and nothing more', async () => {
    const statements = documentedPolicy();
    const allowed = new Set(
      statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])),
    );
    const source = operationsInSource();
    const { all, tagging } = await recordedOperations();

    expect([...all].sort(), 'every operation in the source is exercised by the tests').toEqual(
      [...source].sort(),
    );
    for (const op of source)
      expect(allowed.has(`ec2:${op}`), `ec2:${op} missing from docs/aws.md`).toBe(true);
    const extra = [...allowed].filter(
      (a) => a !== 'ec2:CreateTags' && !source.has(a.replace(/^ec2:/, '')),
    );
    expect(extra, 'actions in the policy that the code never calls').toEqual([]);

    const tagStatement = statements.find((s) => s.Action === 'ec2:CreateTags');
    const createActions = tagStatement?.Condition?.StringEquals?.['ec2:CreateAction'] ?? [];
    expect([...createActions].sort()).toEqual([...tagging].sort());
  });
});
