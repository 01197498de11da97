/**
 * Versions a doc's commands pin (Kubernetes, kernel, docker, TF tag) against
 * a profile: the one the front matter names (`tungsten-e2e-profile:`), else
 * the profile whose Kubernetes minor the doc uses. A contradiction is a
 * warning at the version's line and column: the doc may be right and the
 * profile stale, or the doc may tell readers to install what was never proven.
 */
import { fromMarkdown } from 'mdast-util-from-markdown';
import type { Profile } from '../config/profile.js';
import { minorOf } from '../config/profile.js';
import type { DocFinding } from './lintDocs.js';
import { codeNodes, positionOf } from './markdown.js';

interface Pinned {
  what: 'Kubernetes' | 'kernel' | 'docker' | 'TF tag';
  version: string;
  offset: number;
}

const PATTERNS: [Pinned['what'], RegExp][] = [
  ['Kubernetes', /\b(?:kubeadm|kubelet|kubectl)[-=]v?(\d+\.\d+\.\d+)\b/g],
  ['Kubernetes', /--kubernetes-version[= ]v?(\d+\.\d+\.\d+)\b/g],
  ['Kubernetes', /\bkubernetesVersion:\s*"?v?(\d+\.\d+\.\d+)\b/g],
  ['kernel', /\bkernel(?:-devel|-headers)?-(\d+\.\d+\.\d+-[\d.]*\d)(?:\.el\d|\b)/g],
  ['docker', /\bdocker(?:-ce|-client|-common)?-(\d+\.\d+\.\d+(?:-\d+)?)/g],
  ['TF tag', /\b(?:CONTRAIL_RELEASE|CONTRAIL_CONTAINER_TAG)\s*[=:]\s*["']?([A-Za-z0-9][\w.-]*)/g],
];

/** Every version the doc's code pins, with its offset in the text. */
export function pinnedVersions(text: string): Pinned[] {
  const out: Pinned[] = [];
  for (const node of codeNodes(fromMarkdown(text))) {
    const start = node.position!.start.offset!;
    const raw = text.slice(start, node.position!.end.offset!);
    for (const [what, re] of PATTERNS) {
      for (const m of raw.matchAll(re)) {
        out.push({ what, version: m[1]!, offset: start + m.index! + m[0].indexOf(m[1]!) });
      }
    }
  }
  return out.sort((a, b) => a.offset - b.offset);
}

/** The profile a doc declares, or the one whose Kubernetes minor it uses. */
export function profileFor(
  page: Record<string, unknown>,
  pinned: readonly Pinned[],
  profiles: readonly Profile[],
): Profile | undefined {
  const named = page['tungsten-e2e-profile'];
  if (typeof named === 'string') return profiles.find((p) => p.name === named);
  const k8s = pinned.find((p) => p.what === 'Kubernetes');
  if (!k8s) return undefined;
  return profiles.find((p) => p.kubernetes['supported-minors'].includes(minorOf(k8s.version)));
}

function expected(profile: Profile, what: Pinned['what']): string | undefined {
  switch (what) {
    case 'Kubernetes':
      return profile.kubernetes.version;
    case 'kernel':
      return profile.os['kernel-headers'] ? undefined : profile.os.kernel;
    case 'docker':
      return profile['container-runtime'].name === 'docker'
        ? profile['container-runtime'].version
        : undefined;
    case 'TF tag':
      return profile.tf.tag;
  }
}

/** A kernel or docker pin may leave out the release suffix (".el7.x86_64", ".git…"). */
const agrees = (what: Pinned['what'], doc: string, pinned: string) =>
  what === 'kernel' || what === 'docker'
    ? pinned === doc || pinned.startsWith(`${doc}.`)
    : doc === pinned;

export function versionWarnings(
  text: string,
  page: Record<string, unknown>,
  profiles: readonly Profile[],
): DocFinding[] {
  const pinned = pinnedVersions(text);
  const profile = profileFor(page, pinned, profiles);
  if (!profile) return [];
  const how =
    typeof page['tungsten-e2e-profile'] === 'string'
      ? `the profile this doc declares, ${profile.name},`
      : `the profile for its Kubernetes minor, ${profile.name},`;
  return pinned.flatMap((p) => {
    const want = expected(profile, p.what);
    if (want === undefined || agrees(p.what, p.version, want)) return [];
    return [
      {
        ...positionOf(text, p.offset),
        severity: 'warning' as const,
        message: `${p.what} ${p.version} here, but ${how} pins ${want}; update the doc or the profile, so readers install what was tested.`,
      },
    ];
  });
}
