/**
 * The image for an Azure site: the site's `image:` (a URN
 * PUBLISHER:OFFER:SKU:VERSION), else the profile's publisher/offer/sku/version.
 * "latest" is resolved to the newest version the location lists, and the
 * image is read back for its Marketplace plan: images sold through the
 * Marketplace (Rocky Linux's resf images) need that plan on the VM.
 */
import type { Profile } from '../../config/profile.js';
import { UserError } from '../../errors.js';
import type { SitePlan } from '../../plan/types.js';
import type { AzureApi } from './api.js';
import { azureFaultOf, isNotFound } from './errors.js';

export interface AzureImageRef {
  publisher: string;
  offer: string;
  sku: string;
  version: string;
}

export interface AzureImage extends AzureImageRef {
  /** the Marketplace plan the VM must name, when the image has one */
  plan?: { name: string; publisher: string; product: string };
  /** the image's OS disk size, GiB */
  osDiskGiB?: number;
}

const URN = /^([A-Za-z0-9][\w.-]*):([\w.-]+):([\w.-]+):([\w.-]+)$/;

export function imageRefFor(site: SitePlan, profile: Profile): AzureImageRef {
  const ref = profile.images.azure;
  const profileText =
    'publisher' in ref ? `${ref.publisher}:${ref.offer}:${ref.sku}:${ref.version}` : undefined;
  const given = site.image.ref;
  if (given && given !== profileText) {
    const m = URN.exec(given);
    if (!m) {
      throw new UserError(
        `sites[${site.index}].image "${given}" is not an image URN PUBLISHER:OFFER:SKU:VERSION (e.g. resf:rockylinux-x86_64:9-base:latest); set one for site "${site.name}".`,
      );
    }
    return { publisher: m[1]!, offer: m[2]!, sku: m[3]!, version: m[4]! };
  }
  if ('publisher' in ref) {
    return { publisher: ref.publisher, offer: ref.offer, sku: ref.sku, version: ref.version };
  }
  throw new UserError(
    `profile ${profile.name} names no Azure image${'none' in ref ? ` (${ref.none})` : ''}; set sites[${site.index}].image to PUBLISHER:OFFER:SKU:VERSION for site "${site.name}".`,
  );
}

/** Compare dotted version strings numerically ("9.5.20241118" > "9.4.20240523"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0 && !Number.isNaN(d)) return d;
  }
  return a.localeCompare(b);
}

export async function resolveImage(
  api: AzureApi,
  site: SitePlan,
  profile: Profile,
  location: string,
): Promise<AzureImage> {
  const ref = imageRefFor(site, profile);
  const urn = `${ref.publisher}:${ref.offer}:${ref.sku}`;
  const notFound = (detail: string) =>
    new UserError(
      `Azure has no image ${urn}:${ref.version} in ${location} for site "${site.name}" (${detail}); set sites[${site.index}].image to an image URN offered there (az vm image list --location ${location} --publisher ${ref.publisher} --all).`,
    );
  let version = ref.version;
  try {
    if (version === 'latest') {
      const versions = await api.call(
        'virtualMachineImages.list',
        `image versions of ${urn}`,
        () =>
          api.clients.compute.virtualMachineImages.list(
            location,
            ref.publisher,
            ref.offer,
            ref.sku,
          ),
        { where: location },
      );
      const newest = versions
        .map((v) => v.name)
        .sort(compareVersions)
        .pop();
      if (!newest) throw notFound('no versions listed');
      version = newest;
    }
    const image = await api.call(
      'virtualMachineImages.get',
      `image ${urn}:${version}`,
      () =>
        api.clients.compute.virtualMachineImages.get(
          location,
          ref.publisher,
          ref.offer,
          ref.sku,
          version,
        ),
      { where: location },
    );
    const out: AzureImage = { ...ref, version };
    if (image.plan?.name && image.plan.publisher && image.plan.product) {
      out.plan = {
        name: image.plan.name,
        publisher: image.plan.publisher,
        product: image.plan.product,
      };
    }
    if (image.osDiskImage?.operatingSystem && image.osDiskImage.operatingSystem !== 'Linux') {
      throw new UserError(
        `Azure image ${urn}:${version} is a ${image.osDiskImage.operatingSystem} image; site "${site.name}" needs a Linux one.`,
      );
    }
    return out;
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause ?? e;
    if (!(e instanceof UserError) && isNotFound(cause)) throw notFound(azureFaultOf(cause).message);
    throw e;
  }
}
