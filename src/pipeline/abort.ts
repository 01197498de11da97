/**
 * Cancellation that reaches every wait: a Ctrl-C or a cancelled job aborts
 * the pipeline's signal, and the phase in progress must notice within
 * moments, whatever it is waiting on (an SSH command, a poll, a probe).
 */
import { setMaxListeners } from 'node:events';
import type { RemoteRunner } from '../fabric/fabric.js';

/**
 * The run's signal, with no cap on listeners: every command, probe and wait
 * in flight listens on it (dozens at once), which is not a leak.
 */
export function runSignal(signal?: AbortSignal): AbortSignal {
  const s = signal ?? new AbortController().signal;
  setMaxListeners(0, s);
  return s;
}

/** The signal's reason as an Error (AbortSignal.abort() without a reason gives a DOMException). */
export function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new Error('cancelled');
}

/**
 * `promise`, or a rejection with the signal's reason once the signal aborts.
 * The work behind `promise` is left to finish on its own (its outcome is
 * ignored); callers close what it runs on (the SSH pool) to end it.
 */
export function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Like unlessAborted, but after the abort the work gets `graceMs` to settle
 * by itself (most of it notices the signal and stops at once, leaving
 * nothing half made); only work that does not is abandoned.
 */
export function settleOrAbandon<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  graceMs: number,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      timer = setTimeout(() => reject(abortReason(signal)), graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    promise.then(
      (v) => {
        done();
        resolve(v);
      },
      (e: unknown) => {
        done();
        reject(e);
      },
    );
  });
}

/**
 * The SSH layer as the fabric sees it, cancelled by `signal`: no command
 * starts after the abort, and a command in flight is given up at once (the
 * pipeline then closes the pool, which ends it on the host).
 */
export function abortableRemote(remote: RemoteRunner, signal: AbortSignal): RemoteRunner {
  return {
    exec: (host, command, options) => {
      if (signal.aborted) return Promise.reject(abortReason(signal));
      return unlessAborted(remote.exec(host, command, options), signal);
    },
    upload: (host, path, content, mode) => {
      if (signal.aborted) return Promise.reject(abortReason(signal));
      return unlessAborted(remote.upload(host, path, content, mode), signal);
    },
    uploadFile: (host, path, local, mode) => {
      if (signal.aborted) return Promise.reject(abortReason(signal));
      return unlessAborted(remote.uploadFile(host, path, local, mode), signal);
    },
    reboot: (host, deadlineMs) => {
      if (signal.aborted) return Promise.reject(abortReason(signal));
      return unlessAborted(remote.reboot(host, deadlineMs), signal);
    },
    forward: (host, port, address) => {
      if (signal.aborted) return Promise.reject(abortReason(signal));
      return unlessAborted(remote.forward(host, port, address), signal);
    },
  };
}
