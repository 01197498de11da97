/**
 * Shell programs the emulated fabric runs on its nodes over SSH. Every value
 * is quoted with the one quoting helper; nothing from a config file reaches
 * a shell any other way.
 */
import { quoteArg, quoteArgv } from '../../remote/quote.js';

export const sh = (...argv: string[]): string => quoteArgv(argv);

/** A line that writes `content` to `path` (printf is a shell builtin: no argv limit issue). */
export function writeFileLine(path: string, content: string, mode = '0644'): string {
  return `${sh('printf', '%s', content)} > ${quoteArg(path)} && ${sh('chmod', mode, path)}`;
}

/**
 * The prelude of every program: strict mode, a PATH with the sbin
 * directories (sshd gives root a short one on some systems), the node's
 * directory, and helpers to start, stop and reconfigure a BIRD instance
 * named <name>.conf/.ctl/.pid in that directory.
 */
export function prelude(dir: string): string {
  return [
    'set -eu',
    'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    `dir=${quoteArg(dir)}`,
    'mkdir -p "$dir"',
    // zombies answer kill -0, so read the state from /proc
    'alive() { s=$(sed "s/.*) //" "/proc/$1/stat" 2>/dev/null | cut -c1); [ -n "$s" ] && [ "$s" != Z ]; }',
    'bird_running() { [ -f "$dir/$1.pid" ] && alive "$(cat "$dir/$1.pid")"; }',
    'start_bird() { if bird_running "$1"; then birdc -s "$dir/$1.ctl" configure >/dev/null; else rm -f "$dir/$1.ctl"; bird -c "$dir/$1.conf" -s "$dir/$1.ctl" -P "$dir/$1.pid"; fi; }',
    'stop_bird() { if [ -f "$dir/$1.pid" ]; then p=$(cat "$dir/$1.pid"); kill "$p" 2>/dev/null || true; i=0; while alive "$p" && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done; rm -f "$dir/$1.pid" "$dir/$1.ctl"; fi; }',
    '',
  ].join('\n');
}

/** Print `### <name>` then `birdc show protocols` of each instance (nothing when it has no socket). */
export function showProtocols(names: readonly string[]): string {
  return names
    .map(
      (n) =>
        `echo ${quoteArg(`### ${n}`)}; if [ -S "$dir/${n}.ctl" ]; then birdc -s "$dir/${n}.ctl" show protocols 2>&1 || true; fi`,
    )
    .join('\n');
}

/** Split the output of showProtocols into name → text. */
export function splitSections(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let current: string | undefined;
  for (const line of text.split('\n')) {
    const m = /^### (\S+)$/.exec(line);
    if (m) {
      current = m[1]!;
      out.set(current, '');
    } else if (current) {
      out.set(current, `${out.get(current)!}${line}\n`);
    }
  }
  return out;
}
