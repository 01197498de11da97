import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { parseSiteFile } from '../../src/config/load.js';
import { buildPlanFromConfig } from '../../src/plan/plan.js';
import { placeholdersIn, renderManifest } from '../../src/plan/render/manifest.js';
import { renderSiteManifest } from '../../src/plan/render/site.js';
import { userErrorMessages } from '../helpers.js';

const fixture = (name: string) => readFileSync(`test/fixtures/manifests/${name}`, 'utf8');
const twoSites = (profile: string) =>
  buildPlanFromConfig(
    parseSiteFile(
      `profile: ${profile}\nsites:\n  - name: east\n    provider: local\n  - name: west\n    provider: local\n`,
      'f.yml',
    ),
  );

type Doc = { kind: string; metadata: { name: string }; data?: Record<string, string> };
const docsOf = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as Doc);
const configMap = (docs: Doc[], name: string) =>
  docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === name)!;

describe.each([
  ['tf-2018', 'tf-2018-single-step.yaml'],
  ['opensdn-24', 'opensdn-standalone.yaml'],
])('rendering the %s manifest', (profile, file) => {
  const plan = twoSites(profile);
  const text = fixture(file);

  it('fills every placeholder the manifest holds', () => {
    expect(placeholdersIn(text).length).toBeGreaterThan(2);
    for (const site of plan.sites) {
      const out = renderSiteManifest(text, file, plan, site);
      expect(out).not.toMatch(/\{\{|\}\}/);
    }
  });

  it('sets VROUTER_GATEWAY to the underlay gateway, never the master', () => {
    for (const site of plan.sites) {
      const env = configMap(docsOf(renderSiteManifest(text, file, plan, site)), 'env');
      expect(env.data!.VROUTER_GATEWAY).toBe(site.gateway);
      expect(env.data!.VROUTER_GATEWAY).not.toBe(site.routerId);
    }
  });

  it("sets the pods' MTU for the tunnel where the profile's CNI takes one (opensdn-24's VROUTER_MTU), and leaves it out where it does not", () => {
    for (const site of plan.sites) {
      const env = configMap(docsOf(renderSiteManifest(text, file, plan, site)), 'env');
      // 1500 underlay less WireGuard's 60 less VXLAN's 50
      if (profile === 'opensdn-24') expect(env.data!.VROUTER_MTU).toBe('1390');
      else expect(env.data!).not.toHaveProperty('VROUTER_MTU');
    }
  });

  it('adds the three subnet keys to kube-manager-config, matching the plan', () => {
    for (const site of plan.sites) {
      const km = configMap(
        docsOf(renderSiteManifest(text, file, plan, site)),
        'kube-manager-config',
      );
      expect(km.data!.KUBERNETES_POD_SUBNETS).toBe(site.cidrs.pod);
      expect(km.data!.KUBERNETES_SERVICE_SUBNETS).toBe(site.cidrs.service);
      expect(km.data!.KUBERNETES_IP_FABRIC_SUBNETS).toBe(site.cidrs.ipFabric);
      expect(km.data!.KUBERNETES_API_SERVER).toBe(site.routerId);
      expect(km.data!.K8S_TOKEN_FILE).toBe('/tmp/serviceaccount/token');
    }
    const [east, west] = plan.sites;
    expect(east!.cidrs.pod).not.toBe(west!.cidrs.pod);
  });

  it('leaves every other document byte for byte as substitution made it', () => {
    const site = plan.sites[1]!;
    const out = renderSiteManifest(text, file, plan, site);
    const substitutedOnly = renderManifest({
      text,
      source: file,
      profile,
      placeholders: site.manifestValues,
      edits: [],
    });
    const split = (t: string) => t.split(/^---$/m);
    const a = split(out);
    const b = split(substitutedOnly);
    expect(a.length).toBe(b.length);
    let changed = 0;
    a.forEach((doc, i) => {
      if (/kind: ConfigMap\n(?:.*\n)*?\s+name: (env|kube-manager-config)\n/.test(doc)) {
        changed++;
      } else {
        expect(doc).toBe(b[i]);
      }
    });
    expect(changed).toBe(2);
  });

  it('puts images at the profile registry and pinned tag', () => {
    const out = renderSiteManifest(text, file, plan, plan.sites[0]!);
    const images = [...out.matchAll(/image: "([^"]+)"/g)].map((m) => m[1]!);
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) {
      expect(image.startsWith(`${plan.versions.tfRegistry}/`)).toBe(true);
      expect(image.endsWith(`:${plan.versions.tfTag}`)).toBe(true);
      expect(image).not.toMatch(/:latest$/);
    }
  });
});

describe('manifest refusals', () => {
  const plan = twoSites('tf-2018');
  const site = plan.sites[0]!;

  it('refuses a placeholder the profile does not fill, naming it and its line', () => {
    const text = `${fixture('tf-2018-single-step.yaml')}---\nkind: ConfigMap\nmetadata: { name: x }\ndata:\n  A: {{ NEW_THING }}\n`;
    const msgs = userErrorMessages(() => renderSiteManifest(text, 'm.yaml', plan, site));
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatch(
      /^m\.yaml:\d+: placeholder \{\{ NEW_THING \}\} is not filled by profile tf-2018 \(it fills K8S_MASTER_IP, CONTRAIL_REPO, CONTRAIL_RELEASE\)/,
    );
  });

  it('refuses a manifest missing a ConfigMap it must edit', () => {
    const text = fixture('tf-2018-single-step.yaml').replace(
      'name: kube-manager-config',
      'name: kube-manager-cfg',
    );
    const [msg] = userErrorMessages(() => renderSiteManifest(text, 'm.yaml', plan, site));
    expect(msg).toBe(
      'm.yaml: the manifest has no ConfigMap kube-system/kube-manager-config, which profile tf-2018 expects to edit; use the manifest the profile names or update the profile.',
    );
  });

  it('refuses a rendered manifest that is not YAML', () => {
    const [msg] = userErrorMessages(() =>
      renderManifest({
        text: 'a: [1, 2\nb: {{ X }}\n',
        source: 'm.yaml',
        profile: 'p',
        placeholders: { X: '1' },
        edits: [],
      }),
    );
    expect(msg).toMatch(/^m\.yaml:\d+: the rendered manifest is not valid YAML/);
  });

  // Negative control: the leftover check is what catches an unfilled placeholder.
  it('catches a placeholder spelled with odd spacing or case too', () => {
    for (const p of ['{{K8S_MASTER_IP }}', '{{  k8s_master_ip }}', '{{ K8S-MASTER-IP }}']) {
      const text = `kind: ConfigMap\nmetadata: { name: env, namespace: kube-system }\ndata:\n  A: "${p}"\n`;
      const out = () =>
        renderManifest({
          text,
          source: 'm',
          profile: 'p',
          placeholders: { K8S_MASTER_IP: '10.0.0.1' },
          edits: [],
        });
      if (p === '{{K8S_MASTER_IP }}') expect(out()).toContain('A: "10.0.0.1"');
      else expect(userErrorMessages(out)[0]).toContain(p);
    }
  });
});
