/** Durations and timestamps as every report shows them (UTC, seconds). */

export function elapsedMs(from: string, to: string | undefined): number | undefined {
  if (!to) return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) ? Math.max(0, ms) : undefined;
}

/** 0.4s, 12s, 3m 05s, 1h 02m */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '—';
  if (ms < 10_000) return `${(Math.round(ms / 100) / 10).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** "12:03:07" (UTC) from an ISO timestamp; the input unchanged when it is not one. */
export function clockUtc(iso: string): string {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? new Date(t).toISOString().slice(11, 19) : iso;
}

/** "2024-05-01 12:03:07 UTC" from an ISO timestamp. */
export function dateTimeUtc(iso: string): string {
  const t = Date.parse(iso);
  return Number.isFinite(t)
    ? `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`
    : iso;
}

/** Seconds, with millisecond precision, as JUnit's time attributes want them. */
export function seconds(ms: number | undefined): string {
  return ((ms ?? 0) / 1000).toFixed(3);
}
