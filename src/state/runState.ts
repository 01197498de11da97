/**
 * The persisted run state: saved after every resource created, so `down`, the
 * action's post step and the report always see everything made so far. It
 * holds no secret: the run's private key lives in its own 0600 file.
 */
import type { TunnelLink, TunnelState } from '../tunnel/edges.js';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConfigOverrides } from '../config/load.js';
import type { ProviderName } from '../config/types.js';
import { UserError } from '../errors.js';
import type { CreatedResource, Host } from '../providers/provider.js';
import type { PhaseRecord, RemediationRecord } from '../report/model.js';
import { downCommandLine, remainingLine } from './messages.js';

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
  /** the WireGuard tunnel of each site's edge (public keys only) */
  tunnels?: TunnelState[];
  /** each pair's tunnel as read at the end of the last test phase */
  tunnelLinks?: TunnelLink[];
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
  private handedOff = false;

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
    let state: RunState;
    try {
      state = JSON.parse(text) as RunState;
    } catch (e) {
      throw new UserError(
        `${join(dir, STATE_FILE)} is damaged or cut short (not valid JSON: ${e instanceof Error ? e.message : String(e)}); restore it from a copy (the action's results artifact holds one for a kept run), or run the janitor once the run expires: it finds the run's resources by their run id.`,
      );
    }
    if (
      typeof state !== 'object' ||
      state === null ||
      state.version !== 1 ||
      typeof state.runId !== 'string' ||
      !RUN_ID.test(state.runId)
    ) {
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

  /**
   * Change the state and save it; saves are serialised and atomic (write,
   * then rename). Each save reports its own outcome: one that fails does not
   * fail the ones after it.
   */
  update(change: (s: RunState) => void): Promise<void> {
    if (this.handedOff) return this.updateOnDisk(change);
    change(this.current);
    const snapshot = `${JSON.stringify(this.current, null, 2)}\n`;
    return this.queue(() => this.save(snapshot));
  }

  /**
   * Another store owns the file from now on (teardown's, after a failed up):
   * each later update of this one applies to the state on disk instead of
   * overwriting it with this copy, and a resource recorded after a teardown
   * makes that teardown incomplete, naming the resource.
   */
  handOff(): void {
    this.handedOff = true;
  }

  private updateOnDisk(change: (s: RunState) => void): Promise<void> {
    return this.queue(async () => {
      const fresh = JSON.parse(await readFile(this.file, 'utf8')) as RunState;
      const before = fresh.resources.length;
      change(fresh);
      const late = fresh.resources.slice(before);
      if (fresh.teardown && late.length > 0) {
        fresh.teardown.complete = false;
        for (const r of late) {
          fresh.teardown.remaining.push(
            remainingLine({
              resource: r,
              error: 'made after teardown ran',
              howToDelete: downCommandLine(this.dir, [r.provider]),
            }),
          );
        }
      }
      this.current = fresh;
      await this.save(`${JSON.stringify(fresh, null, 2)}\n`);
    });
  }

  /** One write after the other; a write that fails is reported to its caller only. */
  private queue(write: () => Promise<void>): Promise<void> {
    const next = this.pending.catch(() => {}).then(write);
    this.pending = next;
    return next;
  }

  private async save(snapshot: string): Promise<void> {
    // unique per store: two stores of one process (up's, teardown's) may write at once
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, snapshot, { mode: 0o600 });
    await rename(tmp, this.file);
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

/**
 * After the janitor deleted a run whose state directory it knows: remove the
 * run's private key (and pinned host keys) there, if that state is still this
 * run's. Returns the key file removed, if any.
 */
export async function forgetRunKey(stateDir: string, runId: string): Promise<string | undefined> {
  let state: RunState;
  try {
    state = JSON.parse(await readFile(join(stateDir, STATE_FILE), 'utf8')) as RunState;
  } catch {
    return undefined;
  }
  if (state.runId !== runId || !state.keyFile) return undefined;
  const gone = await stat(state.keyFile).then(
    () => true,
    () => false,
  );
  await rm(state.keyFile, { force: true });
  await rm(join(stateDir, 'known_hosts'), { force: true });
  return gone ? state.keyFile : undefined;
}
