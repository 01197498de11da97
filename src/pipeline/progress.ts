/**
 * Progress lines: every line a phase logs is prefixed with the time since the
 * run started, so a user sees which site, which host, which step, and how long.
 */
import type { Logger } from '../log.js';

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

export function elapsedLogger(logger: Logger, startedAt: number, now = Date.now): Logger {
  const stamp = (m: string) => `[${formatSeconds(now() - startedAt).padStart(6)}] ${m}`;
  return {
    info: (m) => logger.info(stamp(m)),
    warn: (m) => logger.warn(stamp(m)),
    error: (m) => logger.error(stamp(m)),
    debug: (m) => logger.debug(stamp(m)),
    ...(logger.group ? { group: (t: string) => logger.group!(t) } : {}),
    ...(logger.groupEnd ? { groupEnd: () => logger.groupEnd!() } : {}),
    ...(logger.errorAt
      ? { errorAt: (m: string, where: { file: string; line: number }) => logger.errorAt!(m, where) }
      : {}),
  };
}
