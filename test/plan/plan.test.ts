import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parseSiteFile } from '../../src/config/load.js';
import { buildPlanFromConfig, throughMirror } from '../../src/plan/plan.js';
import { listProfiles, loadProfile } from '../../src/config/profile.js';
import { planToJson, planToText } from '../../src/plan/format.js';
import { userErrorMessages } from '../helpers.js';

const load = (text: string) => parseSiteFile(text, 'f.yml');
const local = (extra = '') => `${extra}sites:
  - name: east
    provider: local
  - name: west
    provider: local
  - name: north
    provider: local
`;

describe('plan', () => {
  it('plans hosts, gateway, router id and a full mesh of peers', () => {
    const plan = buildPlanFromConfig(load(local()));
    const east = plan.sites[0]!;
    expect(east.gateway).toBe('172.16.0.1');
    expect(east.routerId).toBe('172.16.0.10');
    expect(east.hosts.map((h) => [h.name, h.role, h.privateAddress])).toEqual([
      ['east-master', 'master', '172.16.0.10'],
      ['east-worker-1', 'worker', '172.16.0.11'],
      ['east-edge', 'edge', '172.16.0.1'],
    ]);
    expect(east.peers).toEqual([
      { site: 'west', asn: 64513, address: '172.16.1.10' },
      { site: 'north', asn: 64514, address: '172.16.2.10' },
    ]);
    expect(plan.peerings).toEqual([
      { a: 'east', b: 'west' },
      { a: 'east', b: 'north' },
      { a: 'west', b: 'north' },
    ]);
  });

  it('puts the underlay gateway (not the master) in VROUTER_GATEWAY and the plan ranges in kube-manager', () => {
    const plan = buildPlanFromConfig(load(local()));
    for (const s of plan.sites) {
      expect(s.configMapValues.env.VROUTER_GATEWAY).toBe(s.gateway);
      expect(s.configMapValues.env.VROUTER_GATEWAY).not.toBe(s.routerId);
      expect(s.configMapValues.kubeManager).toEqual({
        KUBERNETES_POD_SUBNETS: s.cidrs.pod,
        KUBERNETES_SERVICE_SUBNETS: s.cidrs.service,
        KUBERNETES_IP_FABRIC_SUBNETS: s.cidrs.ipFabric,
      });
      expect(s.manifestValues.K8S_MASTER_IP).toBe(s.routerId);
    }
  });

  it('passes the same ranges to kubeadm as to TF', () => {
    const plan = buildPlanFromConfig(load(local()));
    const west = plan.sites[1]!;
    expect(west.kubeadm.args).toContain(`--pod-network-cidr=${west.cidrs.pod}`);
    expect(west.kubeadm.args).toContain(`--service-cidr=${west.cidrs.service}`);
    expect(west.kubeadm.args).toContain('--apiserver-cert-extra-sans=172.16.1.10,west-master');
    const cfg = parse(west.kubeadm.config);
    expect(cfg).toMatchObject({
      apiVersion: 'kubeadm.k8s.io/v1alpha1',
      kind: 'MasterConfiguration',
      kubernetesVersion: 'v1.10.11',
      imageRepository: 'registry.k8s.io',
      networking: { podSubnet: west.cidrs.pod, serviceSubnet: west.cidrs.service },
    });
  });

  it('renders a v1beta3 kubeadm config for opensdn-24', () => {
    const plan = buildPlanFromConfig(load(local('profile: opensdn-24\n')));
    const docs = plan.sites[0]!.kubeadm.config.split(/^---$/m).map((d) => parse(d));
    expect(docs.map((d) => d.kind)).toEqual(['InitConfiguration', 'ClusterConfiguration']);
    expect(docs[1].kubernetesVersion).toBe('v1.28.15');
  });

  it('refuses Kubernetes 1.12 with tf-2018 unless allow-unsupported', () => {
    const [msg] = userErrorMessages(() =>
      buildPlanFromConfig(load(local('versions: { kubernetes: 1.12.3 }\n'))),
    );
    expect(msg).toMatch(
      /^f\.yml:1:25: Kubernetes 1\.12\.3 with profile tf-2018 is refused: TF of 2018 did not support Kubernetes 1\.12/,
    );
    expect(msg).toMatch(/set allow-unsupported: true to try it anyway\.$/);
    const plan = buildPlanFromConfig(
      load(local('versions: { kubernetes: 1.12.3 }\nallow-unsupported: true\n')),
    );
    expect(plan.versions.kubernetes).toBe('1.12.3');
    expect(plan.warnings[0]).toMatch(/unsupported/);
  });

  it('refuses an unknown profile at its line, naming the known ones', () => {
    const [msg] = userErrorMessages(() => buildPlanFromConfig(load(local('profile: tf-2017\n'))));
    expect(msg).toBe(
      'f.yml:1:10: profile is "tf-2017", which is not a version profile; use one of opensdn-24, tf-2018 (did you mean "tf-2018"?).',
    );
  });

  it('says clearly when a cloud has no image for the profile', () => {
    const plan = buildPlanFromConfig(
      load(`sites:
  - name: g
    provider: gcp
    region: europe-west1
  - name: a
    provider: aws
    region: us-east-1
    image: ami-0123456789abcdef0
`),
    );
    expect(plan.sites[0]!.image.ref).toBeUndefined();
    expect(plan.warnings.join('\n')).toMatch(
      /site "g": gcp offers no image for profile tf-2018 .* set sites\[0\]\.image/,
    );
    expect(plan.sites[1]!.image.ref).toBe('ami-0123456789abcdef0');
    expect(plan.sites[1]!.hosts.map((h) => h.instanceType)).toEqual([
      'm5.2xlarge',
      'm5.xlarge',
      't3.small',
    ]);
    expect(plan.sites[1]!.hosts.find((h) => h.role === 'edge')!.privateAddress).toBe('172.16.1.5');
    // the runner pulls the images once (registry.images defaults to runner without a mirror)
    expect(plan.registry.images).toBe('runner');
    expect(plan.warnings.join('\n')).not.toContain('Docker Hub');
    expect(planToText(plan)).toContain(
      'Images: the runner pulls each once from docker.io and pushes it to every node (registry.images: runner).',
    );
  });

  it("warns of Docker Hub's limit when every node pulls anonymously, not with a mirror or a user", () => {
    const sites = `sites:
  - { name: a, provider: aws, region: us-east-1, image: ami-0123456789abcdef0 }
  - { name: b, provider: aws, region: us-west-2, image: ami-0123456789abcdef0 }
`;
    const nodes = buildPlanFromConfig(load(`registry: { images: nodes }\n${sites}`));
    expect(nodes.warnings.join('\n')).toMatch(
      /about \d+ image pulls from docker.io\/opencontrailnightly .* exceed Docker Hub's anonymous limit \(10 an hour per address\)/,
    );
    expect(planToText(nodes)).toContain(
      'Images: every node pulls them from docker.io (registry.images: nodes).',
    );
    const user = buildPlanFromConfig(
      load(`registry: { images: nodes, username: ci-bot }\n${sites}`),
    );
    expect(user.warnings.join('\n')).not.toContain('Docker Hub');
    const mirror = buildPlanFromConfig(load(`registry: { mirror: m.example.com }\n${sites}`));
    expect(mirror.registry.images).toBe('nodes');
    expect(planToText(user)).toContain('from docker.io as ci-bot (registry.images: nodes).');
    expect(planToText(mirror)).toContain(
      'Images: every node pulls them through the mirror m.example.com (registry.images: nodes).',
    );
    expect(mirror.warnings.join('\n')).not.toContain('Docker Hub');
  });

  it('uses a registry mirror for TF images, in place of the source registry host', () => {
    const plan = buildPlanFromConfig(
      load(local('registry: { mirror: mirror.example.com:5000 }\n')),
    );
    // a pull-through cache serves Docker Hub's repository paths; "docker.io" is no path segment there
    expect(plan.sites[0]!.manifestValues.CONTRAIL_REPO).toBe(
      'mirror.example.com:5000/opencontrailnightly',
    );
    const opensdn = buildPlanFromConfig(
      load(local('profile: opensdn-24\nregistry: { mirror: cache.example.com/dockerhub }\n')),
    );
    expect(opensdn.versions.tfRegistry).toBe('cache.example.com/dockerhub/opensdn');
    expect(opensdn.sites[0]!.manifestValues.CONTRAIL_REGISTRY).toBe(
      'cache.example.com/dockerhub/opensdn',
    );
    expect(throughMirror('m.example.com/', 'docker.io/opencontrailnightly')).toBe(
      'm.example.com/opencontrailnightly',
    );
    expect(throughMirror('m.example.com', 'localhost/team/tf')).toBe('m.example.com/team/tf');
    // a repository without a registry host keeps every segment
    expect(throughMirror('m.example.com', 'opensdn')).toBe('m.example.com/opensdn');
    expect(throughMirror('m.example.com', 'team/tf')).toBe('m.example.com/team/tf');
  });

  it('prints JSON of the documented shape and a readable table', () => {
    const plan = buildPlanFromConfig(load(local()));
    const json = planToJson(plan);
    const site = json.sites[0]!;
    expect(Object.keys(site)).toEqual(
      expect.arrayContaining(['name', 'provider', 'asn', 'routerId', 'gateway', 'cidrs', 'peers']),
    );
    expect(Object.keys(site.cidrs)).toEqual(['underlay', 'pod', 'service', 'ipFabric']);
    expect(site.peers[0]).toEqual({ site: 'west', asn: 64513, address: '172.16.1.10' });
    const text = planToText(plan);
    expect(text).toContain('site east (local)');
    expect(text).toContain('peers      west AS64513 at 172.16.1.10, north AS64514 at 172.16.2.10');
    // local sites pull no images
    expect(text).not.toContain('Images:');
  });

  it('plans static hosts from the file', () => {
    const plan = buildPlanFromConfig(
      load(`sites:
  - name: onprem
    provider: static
    cidrs: { underlay: 192.168.10.0/24 }
    hosts:
      - { address: 203.0.113.10, private-address: 192.168.10.10, role: master }
      - { address: 192.168.10.11, role: worker, jump: 203.0.113.10 }
  - name: lab
    provider: local
`),
    );
    expect(plan.sites[0]!.hosts.map((h) => [h.name, h.privateAddress, h.ssh?.jump])).toEqual([
      ['onprem-master', '192.168.10.10', undefined],
      ['onprem-worker-1', '192.168.10.11', '203.0.113.10'],
    ]);
    expect(plan.sites[1]!.cidrs.underlay).toBe('172.16.0.0/24');
  });

  it('every shipped profile pins its TF images: never latest, opensdn-24 at a dated tag', () => {
    for (const name of listProfiles()) {
      const p = loadProfile(name);
      expect(p.tf.tag, name).not.toMatch(/^latest$/);
      expect(p.tf.tag, name).toMatch(/\d/);
    }
    expect(loadProfile('opensdn-24').tf.tag).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('plans the example files', () => {
    const files = readdirSync('examples').filter((f) => f.endsWith('.yml'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) {
      const plan = buildPlanFromConfig(parseSiteFile(readFileSync(`examples/${f}`, 'utf8'), f));
      expect(plan.sites.length).toBeGreaterThanOrEqual(2);
    }
  });
});
