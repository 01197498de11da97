/**
 * Is a site healthy, from the contrail-status text of each of its hosts?
 * Ready = every service of every host `active` or `backup` (backup is a
 * healthy non-leader of an HA service), or matched by a toleration: a state
 * known to be harmless, such as nodemgr's `initializing (NTP state
 * unsynchronized. )`.
 *
 * The control-node race (cloudops/k8s_tf_demo, 2018): control
 * `initializing (No BGP configuration for self)` and/or the agent
 * `initializing (XMPP:control-node:<ip> connection down…)`. Both also show
 * for a while during a normal start, so only a race that persists past a
 * grace period counts (waitReady.ts keeps the time), and the agent's half only
 * while control is not reported starting for some other reason.
 */
import {
  parseContrailStatus,
  type ContrailStatus,
  type ServiceState,
  type StatusLine,
} from './contrailStatus.js';

/** A service state known to be harmless; every given field must match. */
export interface Toleration {
  pod?: string;
  service?: string;
  state?: ServiceState;
  /** text every comma-separated part of the service's detail must contain */
  detail?: string;
  /** why it is harmless (shown when it is applied) */
  reason: string;
}

export const NTP_UNSYNCHRONIZED: Toleration = {
  state: 'initializing',
  detail: 'NTP state unsynchronized',
  reason:
    'nodemgr reports NTP sync, not the service; the clock is not what the suites test (tolerated by default)',
};

/**
 * The Dec-2018 single-step manifest starts its zookeepers without NODE_TYPE, so
 * contrail-status cannot file them under `database` and prints
 * `zookeeper: inactive` there while they run (their rows show with an empty Pod).
 */
export const TF2018_DATABASE_ZOOKEEPER: Toleration = {
  pod: 'database',
  service: 'zookeeper',
  state: 'inactive',
  reason:
    "the 2018 manifest's zookeepers carry no NODE_TYPE, so contrail-status lists them as inactive under database while they run",
};

/** The tolerations a version profile needs by default. */
export function defaultTolerations(profile: string): Toleration[] {
  return profile === 'tf-2018'
    ? [NTP_UNSYNCHRONIZED, TF2018_DATABASE_ZOOKEEPER]
    : [NTP_UNSYNCHRONIZED];
}

export interface ServiceProblem {
  host: string;
  pod: string;
  service: string;
  /** `no-output`: the host printed no service at all */
  state: ServiceState | 'unknown' | 'no-output';
  detail?: string;
  /** as printed, e.g. "control: initializing (No BGP configuration for self)" */
  text: string;
}

export interface RaceSignal {
  /** the race's lines, joined: what a RemediationRecord calls the problem */
  problem: string;
  control: ServiceProblem[];
  agent: ServiceProblem[];
}

export interface SiteHealth {
  ready: boolean;
  /** services keeping the site from ready, host by host */
  problems: ServiceProblem[];
  tolerated: (ServiceProblem & { reason: string })[];
  /** lines the parser did not understand, per host: reported, never fatal */
  unknown: (StatusLine & { host: string })[];
  race?: RaceSignal;
  parsed: Record<string, ContrailStatus>;
}

function tolerationFor(
  s: { pod: string; service: string; state: string; detail?: string },
  tolerations: readonly Toleration[],
): Toleration | undefined {
  return tolerations.find((t) => {
    if (t.pod !== undefined && t.pod !== s.pod) return false;
    if (t.service !== undefined && t.service !== s.service) return false;
    if (t.state !== undefined && t.state !== s.state) return false;
    if (t.detail !== undefined) {
      if (!s.detail) return false;
      return s.detail.split(/,\s+/).every((part) => part.includes(t.detail!));
    }
    return true;
  });
}

const CONTROL_NO_BGP = /No BGP configuration for self/;
const AGENT_XMPP_DOWN = /XMPP:control-node:\S+.*connection down/;

/** The race's signature among a site's problems, if it shows. */
export function detectRace(problems: readonly ServiceProblem[]): RaceSignal | undefined {
  const initializing = problems.filter((p) => p.state === 'initializing' && p.detail);
  const control = initializing.filter(
    (p) => p.pod === 'control' && p.service === 'control' && CONTROL_NO_BGP.test(p.detail!),
  );
  // the agent's XMPP session is down whenever control is still starting; it only
  // points at the race when control is not busy starting for another reason
  const controlStarting = problems.some(
    (p) => p.pod === 'control' && p.service === 'control' && !control.includes(p),
  );
  const agent = controlStarting
    ? []
    : initializing.filter(
        (p) => p.pod === 'vrouter' && p.service === 'agent' && AGENT_XMPP_DOWN.test(p.detail!),
      );
  if (control.length === 0 && agent.length === 0) return undefined;
  const texts = [...new Set([...control, ...agent].map((p) => p.text))];
  return { problem: texts.join('; '), control, agent };
}

/** Judge a site from contrail-status text per host (host name → text). */
export function assessSite(
  statusByHost: Record<string, string>,
  tolerations: readonly Toleration[] = [NTP_UNSYNCHRONIZED],
): SiteHealth {
  const health: SiteHealth = { ready: false, problems: [], tolerated: [], unknown: [], parsed: {} };
  const hosts = Object.keys(statusByHost).sort();
  for (const host of hosts) {
    const parsed = parseContrailStatus(statusByHost[host]!);
    health.parsed[host] = parsed;
    health.unknown.push(...parsed.unknown.map((u) => ({ ...u, host })));
    if (parsed.services.length === 0) {
      health.problems.push({
        host,
        pod: '',
        service: '',
        state: 'no-output',
        text: 'no service listed in the contrail-status output',
      });
      continue;
    }
    for (const s of parsed.services) {
      if (s.state === 'active' || s.state === 'backup') continue;
      const problem: ServiceProblem = {
        host,
        pod: s.pod,
        service: s.service,
        state: s.state,
        ...(s.detail !== undefined ? { detail: s.detail } : {}),
        text: s.text,
      };
      const t = s.state === 'unknown' ? undefined : tolerationFor(s, tolerations);
      if (t) health.tolerated.push({ ...problem, reason: t.reason });
      else health.problems.push(problem);
    }
  }
  health.ready = hosts.length > 0 && health.problems.length === 0;
  const race = detectRace(health.problems);
  if (race) health.race = race;
  return health;
}

/** One line per problem: "east-master control/control initializing (No BGP configuration for self)". */
export function describeProblems(problems: readonly ServiceProblem[], limit = 6): string {
  if (problems.length === 0) return 'no problem';
  const shown = problems
    .slice(0, limit)
    .map((p) => (p.pod ? `${p.host} ${p.pod}/${p.text}` : `${p.host}: ${p.text}`));
  const more = problems.length > limit ? ` (+${problems.length - limit} more)` : '';
  return `${shown.join(', ')}${more}`;
}
