/**
 * The one logging interface every phase uses. Entry points choose the sink
 * (stderr for the CLI, @actions/core for the action); every sink runs text
 * through the secret redactor first.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  /**
   * A phase's lines begin (the action folds them into a log group; warnings
   * and errors stay visible as annotations). Loggers without groups leave it out.
   */
  group?(title: string): void;
  /** the phase's lines end */
  groupEnd?(): void;
  /** An error about a line of a file the user gave (the action annotates that line). */
  errorAt?(message: string, where: { file: string; line: number }): void;
}

export class SecretRegistry {
  private readonly values = new Set<string>();

  add(value: string | undefined): void {
    if (!value) return;
    for (const v of [value, ...value.split(/\r?\n/)]) {
      if (v.trim().length >= 4) this.values.add(v.trim());
    }
  }

  redact(text: string): string {
    let out = text;
    for (const v of [...this.values].sort((a, b) => b.length - a.length)) {
      out = out.split(v).join('***');
    }
    return out;
  }
}

/** Process-wide registry: a secret added anywhere is masked in every sink. */
export const secrets = new SecretRegistry();

export interface StreamLoggerOptions {
  verbose?: boolean;
  now?: () => number;
}

export function streamLogger(
  write: (line: string) => void,
  options: StreamLoggerOptions = {},
): Logger {
  const emit = (level: string, message: string) => {
    for (const line of secrets.redact(message).split('\n')) {
      write(level ? `${level}: ${line}` : line);
    }
  };
  return {
    info: (m) => emit('', m),
    warn: (m) => emit('warning', m),
    error: (m) => emit('error', m),
    debug: (m) => {
      if (options.verbose) emit('debug', m);
    },
  };
}

export const silentLogger: Logger = {
  info: () => {},
  warn: () => {},
  error: () => {},
  debug: () => {},
};

/** A logger that records lines; for tests and for capturing a phase's output. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (m: string) => lines.push(`${level}:${secrets.redact(m)}`);
  return {
    lines,
    info: push('info'),
    warn: push('warn'),
    error: push('error'),
    debug: push('debug'),
  };
}
