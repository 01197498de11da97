/** Exit codes shared by every command (CLI and action). */
export const ExitCode = {
  ok: 0,
  checksFailed: 1,
  badInput: 2,
  infrastructure: 3,
  /** stopped by Ctrl-C / SIGINT / SIGTERM (128 + SIGINT, as shells report it) */
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

/** A problem the user can fix: one sentence, exit 2, no stack trace. */
export class UserError extends Error {
  readonly exitCode = ExitCode.badInput;
  constructor(
    message: string,
    readonly position?: SourcePosition,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** Several user errors found in one pass (every bad field of a site file at once). */
export class UserErrors extends Error {
  readonly exitCode = ExitCode.badInput;
  constructor(readonly errors: UserError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'UserErrors';
  }
}

/** Something outside the user's input failed (cloud API, SSH, a machine): exit 3. */
export class InfraError extends Error {
  readonly exitCode = ExitCode.infrastructure;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InfraError';
  }
}

/** The run was stopped on purpose (Ctrl-C, a cancelled job): the abort reason of the pipeline's signal. */
export class CancelledError extends InfraError {
  constructor(readonly signalName: string) {
    super(`cancelled by ${signalName}`);
    this.name = 'CancelledError';
  }
}

export function isUserError(e: unknown): e is UserError | UserErrors {
  return e instanceof UserError || e instanceof UserErrors;
}

export function userErrorsOf(e: UserError | UserErrors): UserError[] {
  return e instanceof UserErrors ? e.errors : [e];
}

export function exitCodeOf(e: unknown): ExitCodeValue {
  if (isUserError(e)) return ExitCode.badInput;
  return ExitCode.infrastructure;
}

export function formatPosition(p: SourcePosition): string {
  return `${p.file}:${p.line}:${p.col}`;
}
