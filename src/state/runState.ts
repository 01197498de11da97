/**
 * The persisted run state: saved after every resource created, so `down`, the
 * action's post step and the report always see everything made so far. It
 * holds no secret: the run's private key lives in its own 0600 file.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConfigOverrides } from '../config/load.js';
import type { ProviderName } from '../config/types.js';
import { UserError } from '../errors.js';
import type { CreatedResource, Host } from '../providers/provider.js';
import type { PhaseRecord, RemediationRecord } from '../report/model.js';

export const STATE_FILE = 'state.json';

export interface SiteState {
  name: string;
  provider: ProviderName;
  region?: string;
  zone?: string;
  hosts: Host[];
}

export interface RunState {
  version: 1;
  runId: string;
  createdAt: string;
  expiresAt: string;
  /** enough to re-plan: the site file (path or inline text) and the overrides */
  source: { sites: string; label?: string; overrides: ConfigOverrides };
  sites: SiteState[];
  resources: CreatedResource[];
  phases: PhaseRecord[];
  remediations: RemediationRecord[];
  /** the run's private key file (0600, inside the state directory) */
  keyFile?: string;
  teardown?: { at: string; complete: boolean; remaining: string[] };
}

/** Short, lowercase, safe in every naming scheme (netns, tags, GCP labels, Azure groups). */
export function newRunId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(6);
  // first character a letter: some names must not start with a digit
  return [...bytes].map((b, i) => (i === 0 ? alphabet[b % 26] : alphabet[b % 36])).join('');
}

export const RUN_ID = /^[a-z][a-z0-9]{5}$/;

export class StateStore {
  private pending: Promise<void> = Promise.resolve();

  private constructor(
    readonly dir: string,
    private current: RunState,
  ) {}

  static async create(
    dir: string,
    init: Omit<RunState, 'version' | 'sites' | 'resources' | 'phases' | 'remediations'>,
  ): Promise<StateStore> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const store = new StateStore(dir, {
      version: 1,
      sites: [],
      resources: [],
      phases: [],
      remediations: [],
      ...init,
    });
    await store.update(() => {});
    return store;
  }

  static async open(dir: string): Promise<StateStore> {
    let text: string;
    try {
      text = await readFile(join(dir, STATE_FILE), 'utf8');
    } catch {
      throw new UserError(
        `${dir}: no run state here (${STATE_FILE} is missing); pass the --state directory that "up" or "run" used.`,
      );
    }
    const state = JSON.parse(text) as RunState;
    if (state.version !== 1 || !RUN_ID.test(state.runId)) {
      throw new UserError(
        `${join(dir, STATE_FILE)}: not a tungsten-e2e run state (or from another version).`,
      );
    }
    return new StateStore(dir, state);
  }

  get state(): Readonly<RunState> {
    return this.current;
  }

  get file(): string {
    return join(this.dir, STATE_FILE);
  }

  /** Change the state and save it; saves are serialised and atomic (write, then rename). */
  update(change: (s: RunState) => void): Promise<void> {
    change(this.current);
    const snapshot = `${JSON.stringify(this.current, null, 2)}\n`;
    this.pending = this.pending.then(async () => {
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFile(tmp, snapshot, { mode: 0o600 });
      await rename(tmp, this.file);
    });
    return this.pending;
  }

  recordResource(resource: CreatedResource): Promise<void> {
    return this.update((s) => {
      s.resources.push(resource);
    });
  }

  recordSite(site: SiteState): Promise<void> {
    return this.update((s) => {
      s.sites = [...s.sites.filter((x) => x.name !== site.name), site];
    });
  }
}
