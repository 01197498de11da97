import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);

// src/errors.ts
var ExitCode = {
  ok: 0,
  checksFailed: 1,
  badInput: 2,
  infrastructure: 3,
  /** stopped by Ctrl-C / SIGINT / SIGTERM (128 + SIGINT, as shells report it) */
  interrupted: 130
};
var UserError = class extends Error {
  constructor(message, position) {
    super(message);
    this.position = position;
    this.name = "UserError";
  }
  position;
  exitCode = ExitCode.badInput;
};
var UserErrors = class extends Error {
  constructor(errors) {
    super(errors.map((e) => e.message).join("\n"));
    this.errors = errors;
    this.name = "UserErrors";
  }
  errors;
  exitCode = ExitCode.badInput;
};
var InfraError = class extends Error {
  exitCode = ExitCode.infrastructure;
  constructor(message, options) {
    super(message, options);
    this.name = "InfraError";
  }
};
var CancelledError = class extends InfraError {
  constructor(signalName) {
    super(`cancelled by ${signalName}`);
    this.signalName = signalName;
    this.name = "CancelledError";
  }
  signalName;
};
function isUserError(e) {
  return e instanceof UserError || e instanceof UserErrors;
}
function userErrorsOf(e) {
  return e instanceof UserErrors ? e.errors : [e];
}

// src/log.ts
var SecretRegistry = class {
  values = /* @__PURE__ */ new Set();
  add(value) {
    if (!value) return;
    for (const v of [value, ...value.split(/\r?\n/)]) {
      if (v.trim().length >= 4) this.values.add(v.trim());
    }
  }
  redact(text) {
    let out = text;
    for (const v of [...this.values].sort((a, b) => b.length - a.length)) {
      out = out.split(v).join("***");
    }
    return out;
  }
};
var secrets = new SecretRegistry();
function streamLogger(write, options = {}) {
  const emit = (level, message) => {
    for (const line of secrets.redact(message).split("\n")) {
      write(level ? `${level}: ${line}` : line);
    }
  };
  return {
    info: (m) => emit("", m),
    warn: (m) => emit("warning", m),
    error: (m) => emit("error", m),
    debug: (m) => {
      if (options.verbose) emit("debug", m);
    }
  };
}

export {
  ExitCode,
  UserError,
  UserErrors,
  InfraError,
  CancelledError,
  isUserError,
  userErrorsOf,
  secrets,
  streamLogger
};
