/**
 * The AMI for a site: the site's `image:` (an AMI id, or OWNER/NAME with the
 * exact AMI name; the site file allows no wildcards),
 * else the profile's owner + name filter, newest first. Never a hard-coded id.
 */
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import type { Image } from '@aws-sdk/client-ec2';
import type { Profile } from '../../config/profile.js';
import { UserError } from '../../errors.js';
import type { SitePlan } from '../../plan/types.js';
import type { Ec2Api } from './api.js';
import { awsFaultOf } from './errors.js';

export type ImageQuery = { id: string } | { owner: string; name: string };

export interface AwsImage {
  imageId: string;
  name?: string;
  rootDeviceName: string;
  /** size of the image's root snapshot; the root volume may not be smaller */
  rootSnapshotGiB?: number;
  creationDate?: string;
  deprecated: boolean;
}

const AMI_ID = /^ami-[0-9a-f]{8,17}$/;

/** What to search for, from the site's plan (its `image:` override) or the profile. */
export function imageQueryFor(site: SitePlan, profile: Profile): ImageQuery {
  const ref = profile.images.aws;
  const profileText = 'owner' in ref ? `owner ${ref.owner}, name ${ref.name}` : undefined;
  const given = site.image.ref;
  if (given && given !== profileText) {
    if (AMI_ID.test(given)) return { id: given };
    const slash = given.indexOf('/');
    if (slash > 0 && /^(\d{12}|self|amazon|aws-marketplace)$/.test(given.slice(0, slash))) {
      return { owner: given.slice(0, slash), name: given.slice(slash + 1) };
    }
    throw new UserError(
      `sites[${site.index}].image "${given}" is not an AMI id (ami-…) or OWNER/NAME (e.g. 792107900819/Rocky-9-EC2-Base-9.5-20241118.0.x86_64); set one of those for site "${site.name}".`,
    );
  }
  if ('owner' in ref) return { owner: ref.owner, name: ref.name };
  throw new UserError(
    `profile ${profile.name} names no AWS image${'none' in ref ? ` (${ref.none})` : ''}; set sites[${site.index}].image to an AMI id for site "${site.name}".`,
  );
}

export async function resolveImage(
  api: Ec2Api,
  site: SitePlan,
  profile: Profile,
  now: Date,
): Promise<AwsImage> {
  const query = imageQueryFor(site, profile);
  const what =
    'id' in query ? `image ${query.id}` : `images of owner ${query.owner} named ${query.name}`;
  let images: Image[];
  try {
    const out = await api.send(
      new DescribeImagesCommand(
        'id' in query
          ? { ImageIds: [query.id] }
          : {
              Owners: [query.owner],
              Filters: [
                { Name: 'name', Values: [query.name] },
                { Name: 'state', Values: ['available'] },
                { Name: 'architecture', Values: ['x86_64'] },
              ],
              IncludeDeprecated: true,
            },
      ),
      what,
    );
    images = out.Images ?? [];
  } catch (e) {
    const fault = awsFaultOf((e as { cause?: unknown }).cause ?? e);
    if (fault.code.startsWith('InvalidAMIID')) images = [];
    else throw e;
  }
  const newest = images
    .filter((i) => i.ImageId && i.RootDeviceName)
    .sort((a, b) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? ''))[0];
  if (!newest) {
    const hint =
      'owner' in query
        ? `; the profile's note: ${'owner' in profile.images.aws && profile.images.aws.note ? profile.images.aws.note : 'none'}`
        : '';
    throw new UserError(
      `AWS DescribeImages in ${api.region} found no ${what} for site "${site.name}"; set sites[${site.index}].image to an AMI available in ${api.region}${hint}.`,
    );
  }
  const root = newest.BlockDeviceMappings?.find((m) => m.DeviceName === newest.RootDeviceName);
  const image: AwsImage = {
    imageId: newest.ImageId!,
    rootDeviceName: newest.RootDeviceName!,
    deprecated: Boolean(newest.DeprecationTime && new Date(newest.DeprecationTime) <= now),
  };
  if (newest.Name) image.name = newest.Name;
  if (newest.CreationDate) image.creationDate = newest.CreationDate;
  if (root?.Ebs?.VolumeSize !== undefined) image.rootSnapshotGiB = root.Ebs.VolumeSize;
  return image;
}
