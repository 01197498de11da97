/**
 * Each cloud's instance catalogue, loaded on demand so a run pays only for
 * the SDKs of the clouds its sites use.
 */
import type { ProviderName } from '../config/types.js';
import type { SizeCatalogue } from './cloud/sizes.js';

export type CatalogueLoader = () => Promise<SizeCatalogue>;

export const SIZE_CATALOGUES: Partial<Record<ProviderName, CatalogueLoader>> = {
  aws: async () => (await import('./aws/sizeCatalogue.js')).awsSizeCatalogue(),
  gcp: async () => (await import('./gcp/sizeCatalogue.js')).gcpSizeCatalogue(),
  azure: async () => (await import('./azure/sizeCatalogue.js')).azureSizeCatalogue(),
};
