/**
 * The CLI's words for the next step after a refused or failed action, by error code: commands to
 * run. The runtime's errors say what went wrong and, at most, a next step with no surface in it;
 * the console has its own words (screens/hints.ts).
 */
import type { EmptyPreviewCause } from '../runtime/domain/gatekeeper/selection.js';
import type { UserError } from '../runtime/errors.js';
import { DispatchLockedError, EmptyPreviewError } from '../runtime/services/gatekeeper.js';

/** Why a preview had nothing to send -> what to run (see `emptyPreviewCauses`). */
const EMPTY_PREVIEW_STEPS: Record<EmptyPreviewCause, string> = {
  none: 'Approve drafts first (`caio queue list --status pending`, `caio queue approve <id>`), then `caio batch preview` again.',
  ramp: "Today's ramp allowance is used: preview again tomorrow, or check `caio batch ramp` and graduate when it is eligible.",
  whitelist:
    'Whitelist mode sends only to EMAIL_WHITELIST: add the recipients to it in the env file, then `caio batch preview` again.',
  scope:
    'Only approved e-mail drafts can be batched: check the ids with `caio queue list`, approve them (`caio queue approve <id>`), then preview again.',
  contacted:
    'Suppressed or already contacted addresses are never e-mailed again, so those drafts will not be sent; approve other drafts (`caio queue list --status pending`), then `caio batch preview` again.',
};

const HINTS: Record<string, string | ((error: UserError) => string)> = {
  redis_unavailable: (error) =>
    `${error.nextStep ?? 'Check that Redis is running and REDIS_URL is right.'} Check with \`caio validate --check-connections\`.`,
  draft_not_found: 'List drafts with `caio queue list` and use an id from there.',
  config_invalid: (error) =>
    `${error.nextStep ?? 'Fix the configuration.'} Run \`caio validate\` to check the rest.`,
  redis_url_missing: 'Set REDIS_URL in the env file (or pass --env-file), then run `caio migrate` again.',
  migrate_target_missing:
    'Set DATABASE_URL (the shared record) and/or REDIS_URL in the env file (or pass --env-file), then run `caio migrate` again.',
  hive_dir_missing: 'Pass `caio migrate --hive-dir D` with the folder that holds caio.db.',
  audit_unavailable: 'Check HIVE_DIR and run `caio audit verify`.',
  lock_lost: (error) =>
    `${error.nextStep ?? ''} Resume with \`caio batch execute <id> --hash <hash> --resume\`.`.trim(),
  batch_not_found: 'List batches with `caio batch list`, or create one with `caio batch preview`.',
  conflict: 'Refresh with `caio queue list` and decide again if still needed.',
  invalid_transition: 'Refresh the queue (`caio queue list`) and try again.',
  grace_expired: 'The undo window has passed; reject or approve the draft again instead.',
  not_decider: 'Only the reviewer who decided can undo; ask them, or decide again.',
  hash_mismatch:
    'Copy the full hash from `caio batch list` or the preview; preview again if the batch changed.',
  batch_expired: 'Preview again (`caio batch preview`) and execute the new batch before it expires.',
  mode_changed: 'Preview again (`caio batch preview`) in the current mode.',
  items_changed: 'Preview again (`caio batch preview`) to get a batch of what is approved now.',
  ramp_limit:
    'Preview again (`caio batch preview`; the new batch keeps within what is left today), or graduate the ramp when it is eligible: `caio batch ramp`.',
  ramp_not_eligible: 'Check `caio batch ramp` for the clean-day count.',
  dispatch_locked: (error) =>
    error instanceof DispatchLockedError && error.running
      ? `Wait for it to finish, then see its outcome with \`caio batch show ${error.batchId}\`; do not execute it again.`
      : 'Run the same `caio batch execute` again once that execution finishes (`caio batch list` shows it executing); if it was this batch, the retry is refused as already executed.',
  empty_preview: (error) =>
    error instanceof EmptyPreviewError
      ? error.causes.map((cause) => EMPTY_PREVIEW_STEPS[cause]).join(' ')
      : EMPTY_PREVIEW_STEPS.none,
  record_unavailable:
    'Check HIVE_DIR (or DATABASE_URL) with `caio validate --check-connections`, then retry.',
  audit_chain_broken: 'Investigate with `caio audit verify --json`; do not release until it passes.',
  pipeline_busy: 'Wait for it to finish, then `caio pipeline run` again (a rerun only drafts new leads).',
  template_unknown_token: (error) => `${error.nextStep ?? ''} Then \`caio pipeline run\` again.`.trim(),
  scorecard_already_signed:
    'To sign it off again, add --force: `caio scorecard --sign-off --force [--week YYYY-Www]` (the earlier sign-off is kept, and the new one is audited).',
  sign_off_forbidden:
    'Sign off as an operator with the pto role (`--by NAME`, or CAIO_OPERATOR); an admin adds one with `caio operators add NAME --role pto`.',
  release_sign_off_forbidden:
    'Ask an admin to run `caio operators add NAME --role pto`, then sign off with --by NAME.',
  confirmed_by_other:
    'To replace it, run the same `caio release confirm STEP` again with --force (their sign-off stays in the history).',
  records_not_shared: (error) =>
    `${error.nextStep ?? 'Point DATABASE_URL at the record the other hosts use.'}; \`caio status\` lists the hosts and their record ids.`,
  audit_triggers_missing:
    'Restore the append-only triggers with `caio audit repair-triggers`, then verify again.',
};

/** What the CLI prints after "Next:" for this error, if anything. */
export function cliNextStep(error: UserError): string | undefined {
  if (error.code === 'already_executed' && error.nextStep?.includes('resume')) {
    return 'If it is still running on another host or process, wait for it (`caio batch show <id>`; nothing is sent twice); if that run crashed, resume it: `caio batch execute <id> --hash <hash> --resume` (sends only what is left).';
  }
  const hint = HINTS[error.code];
  return typeof hint === 'function' ? hint(error) : (hint ?? error.nextStep);
}
