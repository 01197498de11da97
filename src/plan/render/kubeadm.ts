/** kubeadm init, rendered from the plan: the flags and the equivalent config file. */
import { stringify } from 'yaml';
import type { SiteRanges } from '../ipplan.js';

export interface KubeadmInput {
  kubernetesVersion: string;
  kubeadmApi: string;
  imageRepository: string;
  masterAddress: string;
  certSans: string[];
  cidrs: SiteRanges;
}

export function kubeadmArgs(k: KubeadmInput): string[] {
  return [
    'init',
    `--kubernetes-version=v${k.kubernetesVersion}`,
    `--apiserver-advertise-address=${k.masterAddress}`,
    `--pod-network-cidr=${k.cidrs.pod}`,
    `--service-cidr=${k.cidrs.service}`,
    `--apiserver-cert-extra-sans=${k.certSans.join(',')}`,
  ];
}

/**
 * The config file carries what flags cannot (imageRepository); kubeadm of the
 * 1.10 era refuses --config mixed with other flags, so install uses this alone.
 */
export function kubeadmConfig(k: KubeadmInput): string {
  const version = `v${k.kubernetesVersion}`;
  if (k.kubeadmApi === 'kubeadm.k8s.io/v1alpha1') {
    return stringify({
      apiVersion: k.kubeadmApi,
      kind: 'MasterConfiguration',
      kubernetesVersion: version,
      api: { advertiseAddress: k.masterAddress },
      networking: { podSubnet: k.cidrs.pod, serviceSubnet: k.cidrs.service },
      apiServerCertSANs: k.certSans,
      imageRepository: k.imageRepository,
    });
  }
  const init = stringify({
    apiVersion: k.kubeadmApi,
    kind: 'InitConfiguration',
    localAPIEndpoint: { advertiseAddress: k.masterAddress },
  });
  const cluster = stringify({
    apiVersion: k.kubeadmApi,
    kind: 'ClusterConfiguration',
    kubernetesVersion: version,
    networking: { podSubnet: k.cidrs.pod, serviceSubnet: k.cidrs.service },
    apiServer: { certSANs: k.certSans },
    imageRepository: k.imageRepository,
  });
  return `${init}---\n${cluster}`;
}
