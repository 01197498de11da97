/**
 * The image for a GCP site: the site's `image:` (PROJECT/FAMILY, or an image
 * path projects/PROJECT/global/images/NAME), else the profile's project +
 * family — the family's newest image, never a fixed image name.
 */
import type { protos } from '@google-cloud/compute';
import type { Profile } from '../../config/profile.js';
import { UserError } from '../../errors.js';
import type { SitePlan } from '../../plan/types.js';
import { NO_RETRY } from './api.js';
import type { GcpApi } from './api.js';
import { gcpFaultOf, isNotFound } from './errors.js';

export type ImageQuery = { project: string; family: string } | { project: string; image: string };

export interface GcpImage {
  selfLink: string;
  name: string;
  diskSizeGb: number;
  deprecated: boolean;
}

const IMAGE_PATH = /^projects\/([a-z][-a-z0-9.:]*)\/global\/images\/([a-z]([-a-z0-9]*[a-z0-9])?)$/;
const FAMILY = /^([a-z][-a-z0-9.:]*)\/([a-z]([-a-z0-9]*[a-z0-9])?)$/;

export function imageQueryFor(site: SitePlan, profile: Profile): ImageQuery {
  const ref = profile.images.gcp;
  const profileText = 'family' in ref ? `${ref.project}/${ref.family}` : undefined;
  const given = site.image.ref;
  if (given && given !== profileText) {
    const path = IMAGE_PATH.exec(given);
    if (path) return { project: path[1]!, image: path[2]! };
    const fam = FAMILY.exec(given);
    if (fam) return { project: fam[1]!, family: fam[2]! };
    throw new UserError(
      `sites[${site.index}].image "${given}" is neither PROJECT/FAMILY (e.g. rocky-linux-cloud/rocky-linux-9) nor projects/PROJECT/global/images/NAME; set one of those for site "${site.name}".`,
    );
  }
  if ('family' in ref) return { project: ref.project, family: ref.family };
  throw new UserError(
    `profile ${profile.name} names no GCP image${'none' in ref ? ` (${ref.none})` : ''}; set sites[${site.index}].image to PROJECT/FAMILY for site "${site.name}".`,
  );
}

export async function resolveImage(
  api: GcpApi,
  site: SitePlan,
  profile: Profile,
): Promise<GcpImage> {
  const q = imageQueryFor(site, profile);
  const what =
    'family' in q ? `image family ${q.project}/${q.family}` : `image ${q.project}/${q.image}`;
  let image: protos.google.cloud.compute.v1.IImage;
  try {
    image = await api.call('family' in q ? 'images.getFromFamily' : 'images.get', what, async () =>
      'family' in q
        ? (
            await api.clients.images.getFromFamily(
              { project: q.project, family: q.family },
              NO_RETRY,
            )
          )[0]
        : (await api.clients.images.get({ project: q.project, image: q.image }, NO_RETRY))[0],
    );
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause ?? e;
    if (!isNotFound(cause)) throw e;
    throw new UserError(
      `GCP found no ${what} for site "${site.name}" (${gcpFaultOf(cause).message}); set sites[${site.index}].image to PROJECT/FAMILY of an image you can use.`,
    );
  }
  if (!image.selfLink || !image.name) {
    throw new UserError(`GCP returned ${what} without a selfLink or name for site "${site.name}".`);
  }
  return {
    selfLink: image.selfLink,
    name: image.name,
    diskSizeGb: Number(image.diskSizeGb ?? 0),
    deprecated: Boolean(image.deprecated?.state && image.deprecated.state !== 'ACTIVE'),
  };
}
