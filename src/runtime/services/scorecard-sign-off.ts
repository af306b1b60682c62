/**
 * The weekly scorecard sign-off (SPEC 9, 12): the PTO's (or an admin's), once per ISO week, stored in
 * the record beside the week's release decision and figures, with its audit row in the same
 * transaction. A second sign-off of the week needs `force`; the first is kept and the audit row of
 * the forced one names it.
 */
import { forbiddenMessage, ROLES, type Role } from '../domain/operators.js';
import {
  signOffSubject,
  SIGN_OFF_ACTION,
  SIGN_OFF_ROLES,
  type Metric,
  type Scorecard,
} from '../domain/rubric/scorecard.js';
import { RefusedError, UsageError } from '../errors.js';
import type { RecordStore } from '../stores/record/record.js';
import type { SignOffRow } from '../stores/record/tables/scorecard.js';

export interface SignOffDeps {
  record: Pick<RecordStore, 'operators' | 'transaction'>;
  /** The week's scorecard (its decision and figures are kept with the sign-off). */
  weekly(week?: string): Promise<Scorecard>;
  now: () => number;
}

export interface SignOffRequest {
  week?: string | undefined;
  /** Who signs: an operator name, or `NAME (service token)`. */
  by: string;
  /** The role they act with when the caller knows it (an HTTP token); else `by` is looked up. */
  role?: Role | undefined;
  note?: string | undefined;
  force?: boolean | undefined;
}

/** The figures kept with a sign-off: each metric's value, or null when it was unavailable. */
export function signOffFigures(card: Scorecard): Record<string, unknown> {
  const value = <T>(metric: Metric<T>) => (metric.status === 'ok' ? metric.value : null);
  const replay = value(card.replay_pass_rate);
  return {
    replay_pass_rate: replay ? replay.pass_rate : null,
    replay_block_build: replay ? replay.block_build : null,
    groundedness_failures: value(card.groundedness_failures),
    negative_constraint_violations: value(card.negative_constraint_violations),
    approval_rate: value(card.approval_rate),
    rejections_by_category: value(card.rejections_by_category),
    queue_aging_p95_minutes: value(card.queue_aging_p95_minutes),
    time_to_decision_minutes: value(card.time_to_decision_minutes),
    sends: value(card.sends),
  };
}

function alreadySigned(week: string, current: SignOffRow | undefined): RefusedError {
  const who = current ? ` by ${current.signed_by} at ${current.signed_at}` : '';
  return new RefusedError(
    `${week} is already signed off${who}; a week is signed off once`,
    'scorecard_already_signed',
    'Sign it off again with force to record a new sign-off beside the first (both are kept and audited).',
  );
}

/** The role `name` signs with: given by the caller, else the active operator's in the record. */
async function roleOf(record: SignOffDeps['record'], name: string, given: Role | undefined): Promise<Role> {
  if (given) return given;
  const operator = await record.operators.get(name);
  if (!operator || operator.revoked_at !== null || !(ROLES as readonly string[]).includes(operator.role)) {
    throw new RefusedError(
      `${name} is not an active operator: signing off the scorecard needs the pto or admin role`,
      'sign_off_forbidden',
      `Sign off as the PTO, or have an admin add ${name} as an operator with the pto role.`,
    );
  }
  return operator.role;
}

/** Sign a week off (refused for other roles, and for a signed week without `force`); the week signed. */
export async function signOffWeek(deps: SignOffDeps, request: SignOffRequest): Promise<string> {
  const name = request.by.trim();
  if (name === '') throw new UsageError('--by needs the name of the person signing off');
  const acting = await roleOf(deps.record, name, request.role);
  if (!(SIGN_OFF_ROLES as readonly string[]).includes(acting)) {
    throw new RefusedError(
      forbiddenMessage(name, acting, 'release'),
      'sign_off_forbidden',
      'Ask the PTO (an operator with the pto role) to sign the week off.',
    );
  }
  const card = await deps.weekly(request.week);
  const decision = card.release_decision.status === 'ok' ? card.release_decision.value : null;
  const figures = signOffFigures(card);
  const note = request.note?.trim() ? request.note.trim() : null;
  const input = {
    week: card.week,
    signed_by: name,
    role: acting,
    signed_at: new Date(deps.now()).toISOString(),
    note,
    decision: decision?.decision ?? null,
    figures,
  };
  await deps.record.transaction(async (tx) => {
    let replaced: SignOffRow | undefined;
    let row = await tx.scorecard.insertFirst(input);
    if (!row) {
      [replaced] = await tx.scorecard.forWeek(card.week, 1);
      if (!request.force) throw alreadySigned(card.week, replaced);
      row = await tx.scorecard.insertForced(input);
    }
    await tx.audit.append({
      actor: name,
      action: SIGN_OFF_ACTION,
      subject: signOffSubject(card.week),
      details: {
        role: acting,
        ...(note ? { note } : {}),
        forced: row.forced,
        ...(replaced ? { replaces: { by: replaced.signed_by, at: replaced.signed_at } } : {}),
        decision: input.decision,
        figures,
      },
    });
  });
  return card.week;
}
