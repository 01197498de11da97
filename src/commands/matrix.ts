/**
 * `tungsten-e2e matrix --legs FILE`: the nightly's legs (grid/matrix.ts) as
 * a GitHub Actions matrix, `{"include":[…]}` on one line, for
 * `echo "legs=$(…)" >> "$GITHUB_OUTPUT"`.
 */
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { nightlyMatrix } from '../grid/matrix.js';
import type { CommandIO } from './io.js';

export async function matrixCommand(
  options: { legs: string; env?: NodeJS.ProcessEnv },
  io: CommandIO,
): Promise<ExitCodeValue> {
  const legs = await nightlyMatrix(options.legs, options.env ?? process.env);
  for (const l of legs.filter((x) => !x.configured)) {
    io.logger.info(`matrix: ${l.id} is not configured (${l.reason})`);
  }
  io.stdout(`${JSON.stringify({ include: legs })}\n`);
  return ExitCode.ok;
}
