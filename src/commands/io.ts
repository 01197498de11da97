import type { Logger } from '../log.js';

/** What a command may touch of the outside world besides its own work. */
export interface CommandIO {
  logger: Logger;
  /** the command's product (a table, JSON); progress and notes go to the logger */
  stdout(text: string): void;
}
