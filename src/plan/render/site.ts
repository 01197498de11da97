/** A site's TF manifest from the profile's manifest text and the site's plan. */
import type { Plan, SitePlan } from '../types.js';
import { renderManifest } from './manifest.js';

export function renderSiteManifest(
  text: string,
  source: string,
  plan: Plan,
  site: SitePlan,
): string {
  const m = plan.profile.tf.manifest;
  return renderManifest({
    text,
    source,
    profile: plan.profile.name,
    placeholders: site.manifestValues,
    edits: [
      { name: m['env-configmap'], namespace: m.namespace, data: site.configMapValues.env },
      {
        name: m['kube-manager-configmap'],
        namespace: m.namespace,
        data: site.configMapValues.kubeManager,
      },
    ],
  });
}
