/**
 * Which provider serves a site and which fabric a plan gets: local sites the
 * emulated fabric, cloud and static sites the tungsten fabric (real
 * Kubernetes and TF over SSH); the two are never mixed in one run.
 *
 * A cloud provider's module (and its SDK) is imported only when a site uses
 * it, so a local run never loads the AWS SDK. GCP and Azure plug in below
 * (LOADERS) the same way: a dynamic import of their provider module.
 */
import { join } from 'node:path';
import type { ProviderName } from '../config/types.js';
import { UserError } from '../errors.js';
import { EmulatedFabric } from '../fabric/emulated/index.js';
import { ArtifactCache, defaultCacheDir } from '../fabric/tungsten/artifacts.js';
import { ImageStore } from '../fabric/tungsten/images/store.js';
import { TungstenFabric } from '../fabric/tungsten/index.js';
import type { Fabric, FabricRun } from '../fabric/fabric.js';
import { hostDir } from '../providers/local/naming.js';
import type { Plan } from '../plan/types.js';
import type { AwsKeys } from '../providers/aws/credentials.js';
import type { SshWaiter } from '../providers/aws/provider.js';
import { LocalProvider } from '../providers/local/index.js';
import type { Provider } from '../providers/provider.js';
import { StaticProvider, staticPrivateKey } from '../providers/static/provider.js';

/** The provider serving a name; one instance per name for the life of a pipeline. */
export type ProviderFactory = (name: ProviderName) => Promise<Provider>;

/** Chooses (and validates) the fabric for a plan up front; makes it once machines exist. */
export type FabricFactory = (plan: Plan) => (run: FabricRun) => Fabric;

/** The emulated fabric on local sites: each host's files where the local provider keeps the run's. */
export function emulatedFabric(
  run: FabricRun,
  options: Partial<ConstructorParameters<typeof EmulatedFabric>[0]> = {},
): EmulatedFabric {
  return new EmulatedFabric({
    runId: run.runId,
    remote: run.remote,
    hostDir: (host) => hostDir(run.runId, host),
    ...options,
  });
}

/** What providers are made with: the run's plan and credentials, as the entry points got them. */
export interface RegistryOptions {
  /** the run's plan: static serves the hosts its sites list */
  plan?: Plan;
  /** static: the ssh-private-key input; else the TUNGSTEN_E2E_SSH_KEY environment variable */
  sshPrivateKey?: string;
  /** aws: the action's key inputs; without them the SDK's default chain */
  awsKeys?: AwsKeys;
  /** gcp: the gcp-credentials input (a service-account key JSON); without it Application Default Credentials */
  gcpCredentials?: string;
  /** azure: the azure-credentials input ({clientId, clientSecret, tenantId, subscriptionId}); without it DefaultAzureCredential */
  azureCredentials?: string;
  /** the clouds: waits for SSH on new instances (the run's RemotePool) */
  ssh?: SshWaiter;
  env?: NodeJS.ProcessEnv;
}

type ProviderLoader = (options: RegistryOptions) => Promise<Provider>;

/** How each provider is made. */
const LOADERS: Record<ProviderName, ProviderLoader> = {
  local: async () => new LocalProvider(),
  aws: async (o) => {
    const { AwsProvider } = await import('../providers/aws/provider.js');
    return new AwsProvider({
      ...(o.awsKeys ? { keys: o.awsKeys } : {}),
      ...(o.ssh ? { ssh: o.ssh } : {}),
    });
  },
  static: async (o) => {
    const privateKey = staticPrivateKey(o.sshPrivateKey, o.env ?? process.env);
    return new StaticProvider({
      ...(privateKey ? { privateKey } : {}),
      sites: (o.plan?.sites ?? []).filter((s) => s.provider === 'static'),
    });
  },
  // each cloud's module and SDK are imported only when a site uses that cloud
  gcp: async (o) => {
    const [{ GcpProvider }, { keyFromInput }] = await Promise.all([
      import('../providers/gcp/provider.js'),
      import('../providers/gcp/client.js'),
    ]);
    const key = keyFromInput(o.gcpCredentials);
    return new GcpProvider({ ...(key ? { key } : {}), ...(o.ssh ? { ssh: o.ssh } : {}) });
  },
  azure: async (o) => {
    const [{ AzureProvider }, { keyFromInput }] = await Promise.all([
      import('../providers/azure/provider.js'),
      import('../providers/azure/client.js'),
    ]);
    const key = keyFromInput(o.azureCredentials);
    return new AzureProvider({
      ...(key ? { key } : {}),
      ...(o.ssh ? { ssh: o.ssh } : {}),
      ...(o.env ? { env: o.env } : {}),
    });
  },
};

export function providerRegistry(options: RegistryOptions = {}): ProviderFactory {
  const made = new Map<ProviderName, Promise<Provider>>();
  return (name) => {
    let p = made.get(name);
    if (!p) {
      p = LOADERS[name](options);
      made.set(name, p);
    }
    return p;
  };
}

/** The tungsten fabric as a run makes it: its transcripts in the run's state directory. */
export function tungstenFabric(run: FabricRun): TungstenFabric {
  return new TungstenFabric({
    runId: run.runId,
    remote: run.remote,
    credentials: run.credentials,
    ...(run.transcriptDir ? { transcriptDir: run.transcriptDir } : {}),
    artifacts: new ArtifactCache(run.artifactDir ?? defaultCacheDir()),
    images: new ImageStore(join(run.artifactDir ?? defaultCacheDir(), 'images')),
    ...(run.docSteps ? { docSteps: run.docSteps } : {}),
  });
}

/** Local sites get the emulated fabric; cloud and static sites real TF; the two are not mixed. */
export const defaultFabric: FabricFactory = (plan) => {
  const local = plan.sites.filter((s) => s.provider === 'local');
  if (local.length === plan.sites.length) {
    return (run) => emulatedFabric(run);
  }
  if (local.length > 0) {
    throw new UserError(
      `sites ${local.map((s) => `"${s.name}"`).join(', ')} use provider local, which runs the emulated fabric on this host, and cannot be joined with cloud sites; make every site local or none.`,
    );
  }
  return (run) => tungstenFabric(run);
};
