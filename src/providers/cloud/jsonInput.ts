/** Credentials inputs that hold JSON (azure-credentials, gcp-credentials). */
import { UserError } from '../../errors.js';

/**
 * The parsed input; undefined when it is empty or only white space. Text that
 * does not parse is a UserError with the message `notJson`.
 */
export function jsonInput(text: string | undefined, notJson: string): unknown {
  const raw = text?.trim();
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new UserError(notJson);
  }
}
