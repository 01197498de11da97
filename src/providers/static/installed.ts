/**
 * What a run installs on a static host, listed on the host itself so teardown
 * removes exactly that and never anything else: a run directory
 * `<root>/<run id>/` holding the run's expiry, site and an `installed` list,
 * one tab-separated entry per line:
 *
 *   authorized-key <file> <the line added>
 *   path <absolute path>            (removed with rm -rf at teardown)
 *
 * The run's key is listed there. An edge's WireGuard tunnel is found by its
 * name instead, like a cloud resource by its tag (TUNNEL_REMOVE_SCRIPT): the
 * device and its key file carry the run id. Teardown honours `path` entries
 * too, so a run directory written by a version that installs more is still
 * removed completely. The scripts below take every value as an argument
 * ("$1", …), never inside their text.
 */
import { RUN_ID } from '../../state/runState.js';

export const DEFAULT_MARKER_ROOT = '.tungsten-e2e/runs';
export const DEFAULT_AUTHORIZED_KEYS = '.ssh/authorized_keys';

export function runDir(root: string, runId: string): string {
  if (!RUN_ID.test(runId)) throw new Error(`not a run id: ${JSON.stringify(runId)}`);
  return `${root.replace(/\/+$/, '')}/${runId}`;
}

/** The comment that marks the run's key in authorized_keys. */
export function keyMarker(runId: string): string {
  return `tungsten-e2e-run-${runId}`;
}

/** The authorized_keys line for the run's key: type, key, and the run marker as its comment. */
export function runKeyLine(publicKey: string, runId: string): string {
  const [type, b64] = publicKey.trim().split(/\s+/);
  if (!type || !b64) throw new Error('the run public key is not an OpenSSH public key line');
  return `${type} ${b64} ${keyMarker(runId)}`;
}

/** $1 run dir, $2 authorized_keys file, $3 key line, $4 expires-at, $5 site, $6 repo */
export const INSTALL_SCRIPT = `set -eu
run_dir=$1 key_file=$2 key_line=$3
umask 077
mkdir -p -- "$run_dir"
printf '%s\\n' "$4" > "$run_dir/expires-at"
printf '%s\\n' "$5" > "$run_dir/site"
printf '%s\\n' "$6" > "$run_dir/repo"
touch -- "$run_dir/installed"
mkdir -p -- "$(dirname -- "$key_file")"
if ! grep -qxF -- "$key_line" "$key_file" 2>/dev/null; then
  printf '%s\\n' "$key_line" >> "$key_file"
  printf 'authorized-key\\t%s\\t%s\\n' "$key_file" "$key_line" >> "$run_dir/installed"
fi
echo "installed $run_dir"`;

/**
 * $1 run dir, $2 authorized_keys file, $3 the run's key marker: undo the
 * installed list in reverse order, remove the run dir, and remove any key line
 * still carrying the run's marker (found by its mark, like a cloud tag, even
 * when the run dir is gone).
 */
export const REMOVE_SCRIPT = `set -eu
run_dir=$1 key_file=$2 marker=$3
tab=$(printf '\\t')
if [ -d "$run_dir" ]; then
  if [ -f "$run_dir/installed" ]; then
    tac -- "$run_dir/installed" | while IFS="$tab" read -r kind a b; do
      case "$kind" in
        authorized-key)
          if [ -f "$a" ] && grep -qxF -- "$b" "$a"; then
            grep -vxF -- "$b" "$a" > "$a.tungsten-e2e-tmp" || true
            cat -- "$a.tungsten-e2e-tmp" > "$a"
            rm -f -- "$a.tungsten-e2e-tmp"
            printf 'removed\\tauthorized-key\\t%s\\n' "$a"
          fi;;
        path)
          rm -rf -- "$a"
          printf 'removed\\tpath\\t%s\\n' "$a";;
      esac
    done
  fi
  rm -rf -- "$run_dir"
  printf 'removed\\trun-dir\\t%s\\n' "$run_dir"
fi
if [ -f "$key_file" ] && grep -q -- " $marker\\$" "$key_file"; then
  grep -v -- " $marker\\$" "$key_file" > "$key_file.tungsten-e2e-tmp" || true
  cat -- "$key_file.tungsten-e2e-tmp" > "$key_file"
  rm -f -- "$key_file.tungsten-e2e-tmp"
  printf 'removed\\tauthorized-key\\t%s\\n' "$key_file"
fi`;

/**
 * As root on an edge, $1 the run's device prefix (te<run id>g), $2 the key
 * directory: delete the run's WireGuard devices (their routes go with them;
 * a wireguard-go serving one exits) and their key files.
 */
export const TUNNEL_REMOVE_SCRIPT = `set -eu
prefix=$1 key_dir=$2
for link in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1); do
  case "$link" in
    "$prefix"*)
      ip link delete dev "$link"
      printf 'removed\tlink\t%s\n' "$link";;
  esac
done
for f in "$key_dir/$prefix"*.key; do
  [ -e "$f" ] || continue
  rm -f -- "$f"
  printf 'removed\tpath\t%s\n' "$f"
done`;

/** $1 root: one "run id, expires-at, site" line per run directory. */
export const LIST_SCRIPT = `set -eu
root=$1
[ -d "$root" ] || exit 0
for d in "$root"/*/; do
  [ -f "$d/expires-at" ] || continue
  printf '%s\\t%s\\t%s\\n' "$(basename -- "$d")" "$(cat -- "$d/expires-at")" "$(cat -- "$d/site" 2>/dev/null || true)"
done`;

export function shArgs(script: string, args: string[]): string[] {
  return ['sh', '-c', script, 'sh', ...args];
}
