/**
 * The tungsten fabric's workloads, isolation and probes on real sshd hosts
 * (one master per site) with a recording kubectl stand-in that answers in
 * kubectl's formats (./standins/kubectl; its `exec` runs the pod's command
 * here, with an nc stand-in answering from a table), and the in-test config
 * API standing in for what kube-manager makes (configApiStandIn.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadSiteFile } from '../../../src/config/load.js';
import { InfraError } from '../../../src/errors.js';
import type { FabricContext, FabricSite, IsolationConfig } from '../../../src/fabric/fabric.js';
import { TungstenFabric } from '../../../src/fabric/tungsten/index.js';
import {
  firewallPolicyName,
  namespaceNetworks,
  sharedRouteTarget,
} from '../../../src/fabric/tungsten/peering.js';
import { memoryLogger } from '../../../src/log.js';
import { buildPlanFromConfig } from '../../../src/plan/plan.js';
import type { Plan } from '../../../src/plan/types.js';
import {
  Cleanup,
  describeWithSshd,
  generateRunKey,
  makePool,
  tempDir,
} from '../../remote/harness.js';
import type { ConfigApiStandIn } from './configApiStandIn.js';
import { kubeWorld, NAMESPACES } from './kubeWorld.js';
import { startMasters, type Masters } from './masters.js';

const STANDINS = resolve('test/fabric/tungsten/standins');
describeWithSshd(
  'tungsten workloads, isolation and probes on sshd hosts with kubectl stand-ins',
  () => {
    const cleanup = new Cleanup();
    const key = generateRunKey();
    let plan: Plan;
    let sites: FabricSite[];
    let roots: Map<string, string>;
    let apis: Map<string, ConfigApiStandIn>;
    let endpoints: Masters['endpoints'];
    let fabric: TungstenFabric;
    let ctx: FabricContext;
    let log: string;
    const calls = () => readFileSync(log, 'utf8').trim().split('\n');

    beforeAll(async () => {
      plan = buildPlanFromConfig(await loadSiteFile('examples/aws-azure.yml'));
      const dir = tempDir(cleanup, 'te-tf-workloads-');
      log = join(dir, 'calls.log');
      writeFileSync(log, '');
      roots = new Map(plan.sites.map((p) => [p.name, join(dir, `${p.name}-master`)]));
      ({ sites, apis, endpoints } = await startMasters(cleanup, key, plan, (m) => ({
        PATH: `${STANDINS}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
        TE_ROOT: join(dir, m.name),
        TE_LOG: log,
        TE_HOST: m.name,
      })));
      for (const [i, p] of plan.sites.entries()) {
        mkdirSync(roots.get(p.name)!, { recursive: true });
        writeFileSync(
          join(roots.get(p.name)!, 'world.json'),
          kubeWorld({ site: p.name, octet: 20 + 2 * i }),
        );
      }
      const { pool } = makePool(cleanup, key);
      fabric = new TungstenFabric({
        runId: 'twork',
        remote: pool,
        credentials: {},
        rootOf: (h) => roots.get(h.replace(/-master$/, ''))!,
        pollMs: 100,
        workloadDeadlineMs: 10_000,
        isolationDeadlineMs: 3_000,
        endpoints,
      });
      ctx = { plan, logger: memoryLogger(), signal: new AbortController().signal };
    }, 60_000);

    afterAll(() => cleanup.run(), 60_000);

    it('deploys the workloads from the 1.10 manifests, waits out the pending pods, reads pods and services back', async () => {
      const worlds = await Promise.all(
        sites.map((s) => fabric.deployWorkloads(s, NAMESPACES, ctx)),
      );
      for (const [i, s] of sites.entries()) {
        const w = worlds[i]!;
        expect(w.pods.map((p) => `${p.namespace}/${p.role}`).sort()).toEqual([
          'tenant-a/backend',
          'tenant-a/client',
          'tenant-b/backend',
          'tenant-b/client',
        ]);
        expect(w.pods.every((p) => p.site === s.plan.name)).toBe(true);
        expect(w.services.map((x) => `${x.namespace} ${x.port}`)).toEqual([
          'tenant-a 80',
          'tenant-b 80',
        ]);
        // the manifest applied is the workloads' own, for Kubernetes 1.10
        const applied = parse(
          readFileSync(
            join(roots.get(s.plan.name)!, 'etc/tungsten-e2e/workloads.yaml'),
            'utf8',
          ).split('---\n')[1]!,
        ) as { apiVersion: string; kind: string };
        expect(applied).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment' });
        // polled until running: the first answer had the pods pending
        expect(
          Number(readFileSync(join(roots.get(s.plan.name)!, 'gets'), 'utf8')),
        ).toBeGreaterThanOrEqual(2);
      }
    }, 60_000);

    it('probes many targets in one kubectl exec per call: connected naming the pod, refused, dropped (timeout)', async () => {
      const [east] = sites as [FabricSite];
      writeFileSync(
        join(roots.get(east.plan.name)!, 'net.txt'),
        [
          '10.21.0.10:80 connected echo-5d8f-azure0',
          '10.21.0.11:80 refused',
          '10.20.0.10:8080 dropped',
        ].join('\n'),
      );
      const before = calls().filter((l) => / kubectl exec /.test(l)).length;
      const from = {
        site: east.plan.name,
        namespace: 'tenant-a',
        name: `client-${east.plan.name}0`,
      };
      const outcomes = await fabric.probe(
        from,
        [
          { ip: '10.21.0.10', port: 80 },
          { ip: '10.21.0.11', port: 80 },
          { ip: '10.20.0.10', port: 8080 },
        ],
        1000,
        ctx,
      );
      expect(outcomes.map((o) => o.result)).toEqual(['connected', 'refused', 'timeout']);
      expect(outcomes[0]!.detail).toBe('echo-5d8f-azure0');
      // one round trip for the three
      const execs = calls().filter((l) => / kubectl exec /.test(l));
      expect(execs.length - before).toBe(1);
      expect(execs.at(-1)).toContain(`exec -n tenant-a ${from.name} -- sh -c`);
    }, 60_000);

    it('a mode: previous policies deleted, annotations and policies applied, then waits for kube-manager in the config API and routes the isolated namespace', async () => {
      const [east] = sites as [FabricSite];
      const master = `${east.plan.name}-master`;
      const tf = apis.get(master)!;
      const config: IsolationConfig = {
        mode: 'namespace',
        namespaces: [
          { name: 'tenant-a', labels: {}, annotations: { 'opencontrail.org/isolation': 'true' } },
          { name: 'tenant-b', labels: {}, annotations: {} },
        ],
        networkPolicies: [
          {
            name: 'allow-client',
            namespace: 'tenant-b',
            podSelector: { app: 'echo' },
            policyTypes: ['Ingress'],
            ingress: [{ from: [{ podSelector: { app: 'client' } }] }],
          },
        ],
      };
      const before = calls().length;
      const started = Date.now();
      const applying = fabric.applyIsolation(east, config, { pods: [], services: [] }, ctx);
      // kube-manager, a moment after the apply: the isolated namespace's networks and the policy's firewall policy
      for (
        let i = 0;
        i < 100 &&
        !calls()
          .slice(before)
          .some((l) => l.includes('isolation.yaml'));
        i++
      ) {
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 400));
      for (const vn of namespaceNetworks('tenant-a'))
        tf.seed('virtual-network', [...vn], { parent_type: 'project' });
      tf.seed(
        'firewall-policy',
        ['default-policy-management', firewallPolicyName('tenant-b', 'allow-client')],
        {
          parent_type: 'policy-management',
        },
      );
      await applying;
      expect(Date.now() - started).toBeGreaterThanOrEqual(400);
      const made = calls().slice(before);
      const first = (re: RegExp) => made.findIndex((l) => re.test(l));
      expect(first(/kubectl -n tenant-a delete networkpolicy --all$/)).toBeGreaterThanOrEqual(0);
      expect(first(/kubectl -n tenant-b delete networkpolicy --all$/)).toBeLessThan(
        first(/kubectl apply -f .*isolation\.yaml$/),
      );
      const applied = readFileSync(
        join(roots.get(east.plan.name)!, 'etc/tungsten-e2e/isolation.yaml'),
        'utf8',
      );
      expect(applied).toContain('opencontrail.org/isolation: "true"');
      expect(applied).toContain('kind: NetworkPolicy');
      for (const vn of namespaceNetworks('tenant-a')) {
        expect(tf.find('virtual-network', vn)!.route_target_list).toEqual({
          route_target: [sharedRouteTarget(plan)],
        });
      }
    }, 60_000);

    it('a mode kube-manager never shows fails at its deadline, naming what is missing', async () => {
      const west = sites[1]!;
      const config: IsolationConfig = {
        mode: 'namespace',
        namespaces: [
          { name: 'tenant-a', labels: {}, annotations: { 'opencontrail.org/isolation': 'true' } },
        ],
        networkPolicies: [],
      };
      const e = await fabric
        .applyIsolation(west, config, { pods: [], services: [] }, ctx)
        .catch((x: unknown) => x as Error);
      expect(e).toBeInstanceOf(InfraError);
      expect((e as Error).message).toMatch(
        /kube-manager has not applied isolation mode namespace after 3 s: no virtual network default-domain:k8s-tenant-a:k8s-tenant-a-pod-network/,
      );
    }, 60_000);
  },
);
