/**
 * What a cloud provider checks before it creates anything: each site's sizes
 * against the minimums and its image. Preflight reports every site's user
 * errors at once; a site's result is kept so provision does not ask twice.
 */
import { isUserError, UserErrors, userErrorsOf } from '../../errors.js';
import type { UserError } from '../../errors.js';
import type { SitePlan } from '../../plan/types.js';
import { refuseUndersized } from './sizes.js';
import type { SizeCheck } from './sizes.js';

export interface SiteCheck<Image> {
  sizes: SizeCheck[];
  image: Image;
}

/**
 * Check every site in turn; the user errors of all of them are thrown
 * together (one UserError as itself, more as UserErrors), anything else at once.
 */
export async function preflightEach(
  sites: readonly SitePlan[],
  check: (site: SitePlan) => Promise<unknown>,
): Promise<void> {
  const errors: UserError[] = [];
  for (const site of sites) {
    try {
      await check(site);
    } catch (e) {
      if (isUserError(e)) errors.push(...userErrorsOf(e));
      else throw e;
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new UserErrors(errors);
}

/** Site checks by site name: the first one asks the cloud, later ones get its result. */
export class SiteChecks<Image> {
  private readonly done = new Map<string, SiteCheck<Image>>();

  /** Sizes first (undersized roles refused), then the image; nothing is cached when either throws. */
  async check(
    site: SitePlan,
    sizes: () => Promise<SizeCheck[]>,
    image: () => Promise<Image>,
  ): Promise<SiteCheck<Image>> {
    const hit = this.done.get(site.name);
    if (hit) return hit;
    const checked = await sizes();
    refuseUndersized(checked);
    const result = { sizes: checked, image: await image() };
    this.done.set(site.name, result);
    return result;
  }
}
