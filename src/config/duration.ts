import { DURATION } from './schema.js';

const UNIT_SECONDS: Record<string, number> = { d: 86400, h: 3600, m: 60, s: 1 };

/** Seconds in a duration like "3h" or "1h30m"; undefined when the text is not one. */
export function parseDuration(text: string): number | undefined {
  if (!text || !DURATION.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/(\d+)([dhms])/g)) total += Number(m[1]) * UNIT_SECONDS[m[2]!]!;
  return total;
}

export function formatDuration(seconds: number): string {
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [unit, size] of Object.entries(UNIT_SECONDS)) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('') || '0s';
}
