/**
 * Ctrl-C, SIGTERM and a cancelled job: the first signal aborts the run's
 * AbortSignal (no new work starts, the phase in progress is recorded as
 * cancelled); what happens next depends on who is running:
 *
 *   CLI     tears down what was made, then exits 130; a second signal exits
 *           at once, printing the exact `down` command.
 *   action  exits within seconds (GitHub sends SIGINT, then SIGTERM 7.5 s
 *           later, then kills); the post step tears down. A second signal, or
 *           the grace running out, exits at once.
 */
import { setMaxListeners } from 'node:events';
import { CancelledError, ExitCode } from '../errors.js';
import type { Logger } from '../log.js';

export interface Interrupt {
  readonly signal: AbortSignal;
  /** the first signal received, if any */
  readonly received: NodeJS.Signals | undefined;
  /** the command that tears the run down, printed when a second signal ends the process */
  setDownCommand(command: string): void;
  /**
   * Stop listening (the process goes back to the default handling). A
   * pending hard exit stays armed: it only fires if something still keeps
   * the process alive.
   */
  dispose(): void;
}

export interface InterruptOptions {
  logger: Logger;
  /** what to say on the first signal */
  firstMessage: (signal: NodeJS.Signals) => string;
  /** the action: exit this long after the first signal even if the work has not ended */
  hardExitAfterMs?: number;
  /** process.exit, replaceable in tests */
  exit?: (code: number) => void;
  /** the process to listen on (tests pass an EventEmitter) */
  target?: Pick<NodeJS.Process, 'on' | 'off'>;
}

export const INTERRUPT_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

export function listenForInterrupt(options: InterruptOptions): Interrupt {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const target = options.target ?? process;
  let received: NodeJS.Signals | undefined;
  let downCommand: string | undefined;
  let timer: NodeJS.Timeout | undefined;

  const exitNow = (why: string) => {
    options.logger.error(
      downCommand
        ? `${why}: exiting now; what the run made is left standing: tear it down with "${downCommand}"`
        : `${why}: exiting now`,
    );
    exit(ExitCode.interrupted);
  };
  const onSignal = (sig: NodeJS.Signals) => {
    if (received) {
      exitNow(`${sig} again`);
      return;
    }
    received = sig;
    options.logger.warn(options.firstMessage(sig));
    controller.abort(new CancelledError(sig));
    if (options.hardExitAfterMs !== undefined) {
      timer = setTimeout(
        () => exitNow(`still busy ${options.hardExitAfterMs} ms after ${sig}`),
        options.hardExitAfterMs,
      );
      // the timer alone must not keep a finished process alive
      timer.unref();
    }
  };
  for (const s of INTERRUPT_SIGNALS) target.on(s, onSignal);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    setDownCommand: (command) => {
      downCommand = command;
    },
    dispose: () => {
      for (const s of INTERRUPT_SIGNALS) target.off(s, onSignal);
    },
  };
}
