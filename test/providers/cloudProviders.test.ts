import { describe, expect, it } from 'vitest';
import { providerRegistry } from '../../src/pipeline/registry.js';
import { isCloud, lazyProvider } from '../../src/providers/cloudProviders.js';
import type { Provider } from '../../src/providers/provider.js';

const stub = (calls: string[], withEdges: boolean): Provider => ({
  name: 'gcp',
  preflight: async () => void calls.push('preflight'),
  provision: async (site) => {
    calls.push('provision');
    return { name: site.name, provider: 'gcp', hosts: [] };
  },
  ...(withEdges ? { authorizeEdges: async () => void calls.push('authorizeEdges') } : {}),
  destroy: async () => {
    calls.push('destroy');
    return { deleted: [], remaining: [] };
  },
  listExpired: async () => {
    calls.push('listExpired');
    return [];
  },
});
const op = {
  logger: { debug() {}, info() {}, warn() {}, error() {} } as never,
  signal: new AbortController().signal,
};

describe('cloud providers in the pipeline', () => {
  it('load their module on the first call only, and once', async () => {
    const calls: string[] = [];
    let loads = 0;
    const p = lazyProvider('gcp', async () => {
      loads += 1;
      return stub(calls, true);
    });
    expect(loads).toBe(0);
    expect(p.name).toBe('gcp');
    await p.destroy({ runId: 'abcdef', sites: [] }, op);
    await p.listExpired(new Date(), op);
    await p.authorizeEdges!({} as never, [], {} as never);
    expect(loads).toBe(1);
    expect(calls).toEqual(['destroy', 'listExpired', 'authorizeEdges']);
  });

  it('leave authorizeEdges a no-op for a provider without it', async () => {
    const calls: string[] = [];
    const p = lazyProvider('gcp', async () => stub(calls, false));
    await p.authorizeEdges!({} as never, [], {} as never);
    expect(calls).toEqual([]);
  });

  it('are served by the registry, one instance per cloud, without loading anything yet', () => {
    const registry = providerRegistry();
    for (const name of ['aws', 'gcp', 'azure'] as const) {
      expect(isCloud(name)).toBe(true);
      expect(registry(name).name).toBe(name);
      expect(registry(name)).toBe(registry(name));
    }
    expect(() => registry('static')).toThrow(/provider "static" is not available yet/);
  });

  it('refuse a malformed credential input when first used, as a user error', async () => {
    const registry = providerRegistry({ 'azure-credentials': '{"clientId":"x"}' });
    await expect(registry('azure').destroy({ runId: 'abcdef', sites: [] }, op)).rejects.toThrow(
      /'azure-credentials' lacks clientSecret, tenantId, subscriptionId/,
    );
  });
});
