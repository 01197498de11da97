/**
 * A parser for `contrail-status` output as the container-era tool prints it
 * (tf-container-builder containers/status/contrail-status.py, 2018 to today):
 *
 *   Pod   Service  Original Name  [Original Version]  State  [Id]  Status   <- optional table
 *   ...rows, columns left-aligned, each as wide as its longest cell + 2...
 *                                                                           <- blank line
 *   WARNING: container with original name '...' have Pod or Service empty ... <- optional
 *   vrouter kernel module is PRESENT                                        <- optional driver line
 *   == Contrail control ==                                                  <- one section per pod
 *   control: initializing (No BGP configuration for self)
 *   nodemgr: active
 *
 * The table's header decides its columns (5 in late 2018, 6 with `Id` from
 * 2018-12-26, 7 with `Original Version` from 2019-09), cells are found by the
 * header's column offsets, since cells themselves contain spaces
 * ("Original Name", "Up 35 minutes") and the Pod cell may be empty.
 * A line the parser does not understand is kept in `unknown`; it never throws.
 */

export const SERVICE_STATES = ['active', 'backup', 'initializing', 'inactive', 'timeout'] as const;
export type ServiceState = (typeof SERVICE_STATES)[number];

export interface ServiceStatus {
  /** the section's pod: control, vrouter, config, config-database, analytics, ... */
  pod: string;
  /** as printed, including worker suffixes such as `api-0` */
  service: string;
  /** `unknown` when the state word is none of SERVICE_STATES (kept in stateText) */
  state: ServiceState | 'unknown';
  stateText: string;
  /** the parenthesised description, trimmed, e.g. "No BGP configuration for self" */
  detail?: string;
  /** 1-based line number in the text */
  line: number;
  /** the line as printed, trimmed */
  text: string;
}

export interface ContainerRow {
  pod: string;
  service: string;
  originalName: string;
  originalVersion?: string;
  /** docker's state, e.g. running */
  state: string;
  id?: string;
  /** docker's status, e.g. "Up 35 minutes" */
  status: string;
  line: number;
}

export type DriverState = 'kernel' | 'dpdk' | 'missing';

export interface StatusLine {
  line: number;
  text: string;
}

export interface ContrailStatus {
  /** the table's header cells in order; empty when the output had no table */
  columns: string[];
  containers: ContainerRow[];
  driver?: { state: DriverState; text: string };
  sections: { pod: string; line: number; services: ServiceStatus[] }[];
  /** every service line of every section, in order */
  services: ServiceStatus[];
  warnings: StatusLine[];
  /** lines that are none of the above (a shell prompt, an error, garbage) */
  unknown: StatusLine[];
}

const SECTION = /^==\s*(?:Contrail|OpenSDN)\s+(\S(?:.*\S)?)\s*==$/i;
const SERVICE_LINE = /^([A-Za-z0-9][A-Za-z0-9_.-]*):\s+([a-z][a-z-]*)(?:\s+(.*))?$/;
const DRIVER_LINES: [RegExp, DriverState][] = [
  [/^vrouter kernel module is PRESENT$/, 'kernel'],
  [/^vrouter DPDK module is PRESENT$/, 'dpdk'],
  [/^vrouter driver is not PRESENT but agent pod is present$/, 'missing'],
];
const COLUMN_FIELDS: Record<string, keyof Omit<ContainerRow, 'line'>> = {
  Pod: 'pod',
  Service: 'service',
  'Original Name': 'originalName',
  'Original Version': 'originalVersion',
  State: 'state',
  Id: 'id',
  Status: 'status',
};

interface Cell {
  start: number;
  text: string;
}

/** Cells separated by runs of two or more spaces (or a tab), with their offsets. */
function cells(line: string): Cell[] {
  const out: Cell[] = [];
  const re = /\S+(?: \S+)*/g;
  const expanded = line.replace(/\t/g, '  ');
  for (let m = re.exec(expanded); m; m = re.exec(expanded)) {
    out.push({ start: m.index, text: m[0] });
  }
  return out;
}

function isHeader(line: string): Cell[] | undefined {
  const c = cells(line);
  const names = c.map((x) => x.text);
  if (names[0] !== 'Pod' || !names.includes('Service') || !names.includes('Status')) {
    return undefined;
  }
  return c;
}

function parseRow(line: string, lineNo: number, header: Cell[]): ContainerRow {
  const values: string[] = header.map(() => '');
  for (const cell of cells(line)) {
    let index = 0;
    for (let i = 0; i < header.length; i++) {
      if (header[i]!.start <= cell.start) index = i;
    }
    values[index] = values[index] ? `${values[index]}  ${cell.text}` : cell.text;
  }
  const row: ContainerRow = {
    pod: '',
    service: '',
    originalName: '',
    state: '',
    status: '',
    line: lineNo,
  };
  header.forEach((h, i) => {
    const field = COLUMN_FIELDS[h.text];
    if (field) row[field] = values[i]!;
  });
  return row;
}

function parseService(pod: string, line: string, lineNo: number): ServiceStatus | undefined {
  const m = SERVICE_LINE.exec(line);
  if (!m) return undefined;
  const [, service, stateText, rest] = m as unknown as [string, string, string, string | undefined];
  let detail: string | undefined;
  if (rest !== undefined) {
    if (!rest.startsWith('(')) return undefined;
    detail = rest
      .slice(1)
      .replace(/\)\s*$/, '')
      .trim();
  }
  const state = (SERVICE_STATES as readonly string[]).includes(stateText)
    ? (stateText as ServiceState)
    : 'unknown';
  return {
    pod,
    service,
    state,
    stateText,
    ...(detail !== undefined ? { detail } : {}),
    line: lineNo,
    text: line,
  };
}

export function parseContrailStatus(text: string): ContrailStatus {
  const out: ContrailStatus = {
    columns: [],
    containers: [],
    sections: [],
    services: [],
    warnings: [],
    unknown: [],
  };
  let header: Cell[] | undefined;
  let phase: 'start' | 'table' | 'body' = 'start';
  let section: ContrailStatus['sections'][number] | undefined;

  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.trim();
    if (phase === 'table') {
      if (!line) {
        phase = 'body';
        return;
      }
      if (!isBodyLine(line)) {
        out.containers.push(parseRow(raw.trimEnd(), lineNo, header!));
        return;
      }
      phase = 'body';
    }
    if (!line) return;
    if (phase === 'start') {
      const h = isHeader(raw.trimEnd());
      if (h) {
        header = h;
        out.columns = h.map((c) => c.text);
        phase = 'table';
        return;
      }
    }
    const sectionMatch = SECTION.exec(line);
    if (sectionMatch) {
      phase = 'body';
      section = { pod: sectionMatch[1]!, line: lineNo, services: [] };
      out.sections.push(section);
      return;
    }
    if (line.startsWith('WARNING:')) {
      out.warnings.push({ line: lineNo, text: line });
      return;
    }
    const driver = DRIVER_LINES.find(([re]) => re.test(line));
    if (driver) {
      out.driver = { state: driver[1], text: line };
      return;
    }
    if (section) {
      const svc = parseService(section.pod, line, lineNo);
      if (svc) {
        section.services.push(svc);
        out.services.push(svc);
        return;
      }
    }
    out.unknown.push({ line: lineNo, text: line });
  });
  return out;
}

function isBodyLine(line: string): boolean {
  return (
    SECTION.test(line) || line.startsWith('WARNING:') || DRIVER_LINES.some(([re]) => re.test(line))
  );
}

/** `control: initializing (No BGP configuration for self)`, as contrail-status prints it. */
export function formatService(s: Pick<ServiceStatus, 'service' | 'stateText' | 'detail'>): string {
  return s.detail ? `${s.service}: ${s.stateText} (${s.detail})` : `${s.service}: ${s.stateText}`;
}
