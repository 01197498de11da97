/** What main saves for the post step (core.saveState; the runner hands it to post as STATE_<name>). */
export const SAVED = {
  /** the run's state directory, saved before the first resource exists */
  stateDir: 'state-dir',
  runId: 'run-id',
  /** main's teardown decision: `done` (it tore down) or `kept` (the teardown policy keeps the run) */
  decision: 'teardown',
  /** where main exported the state of a kept run (the results directory) */
  keptStateDir: 'kept-state-dir',
} as const;
