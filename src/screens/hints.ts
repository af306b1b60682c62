/**
 * The console's words for the next step after a refused or failed action, by error code: keys to
 * press on the screen at hand, never a command line. Errors without a console hint show their
 * surface-neutral next step, if any.
 */
import { isUserError } from '../runtime/errors.js';
import { DispatchLockedError, EmptyPreviewError } from '../runtime/services/gatekeeper.js';

const HINTS: Record<string, string> = {
  draft_not_found: 'Press R to refresh the queue.',
  batch_not_found: 'Press R to refresh, or p to preview a new batch.',
  conflict: 'Press R to refresh and decide again if still needed.',
  invalid_transition: 'Press R to refresh the queue.',
  grace_expired: 'The undo window has passed.',
  not_decider: 'Only the reviewer who decided can undo it.',
  hash_mismatch: 'Press R to refresh, then p to preview again if the batch changed.',
  batch_expired: 'Press p to preview again, then x to execute the new batch before it expires.',
  mode_changed: 'Press p to preview again in the current mode.',
  items_changed: 'Press p to preview again: the new batch holds what is approved now.',
  ramp_limit: 'Press p to preview again: the new batch keeps within what is left today.',
  already_executed: 'Press p to preview a new batch for anything still approved.',
  redis_unavailable: 'Redis is down: the status bar shows when it is back; try again then.',
  record_unavailable: 'The record cannot be reached; try again shortly.',
  sign_off_forbidden:
    'Only the PTO (pto or admin role) signs the scorecard off; start the console with --by NAME.',
  release_sign_off_forbidden:
    'Only an operator with the pto (or admin) role signs release steps off; start the console with --by NAME.',
  pipeline_busy: 'Another pipeline run is in progress; try :pipeline again when it is done.',
};

/** The next step the console shows for this error, if any. */
export function consoleNextStep(error: unknown): string | undefined {
  if (!isUserError(error)) return undefined;
  if (error.code === 'dispatch_locked') {
    return error instanceof DispatchLockedError && error.running
      ? 'It is running on another host or process: R refreshes to show its outcome; do not execute it again.'
      : 'Wait for the running batch to finish (R refreshes), then try again.';
  }
  if (error.code === 'empty_preview') {
    // Nothing approved: approve on the Queue screen. Everything excluded (ramp, whitelist, already
    // contacted): the runtime's step names the cause. From a remote runtime the message carries it.
    if (error instanceof EmptyPreviewError && error.causes.join() === 'none')
      return 'Approve drafts on the Queue screen (a), then press p again.';
    return error instanceof EmptyPreviewError ? error.nextStep : undefined;
  }
  return HINTS[error.code] ?? error.nextStep;
}
