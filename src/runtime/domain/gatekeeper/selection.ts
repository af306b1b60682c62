/**
 * Which approved drafts go into a Gatekeeper batch, and why the others do not (SPEC 8). Pure: the
 * service passes in the drafts and the facts it looked up (suppressed and already-sent addresses,
 * remaining ramp allowance, whitelist), and gets back items and exclusions with reasons.
 *
 * Order of the rules, per draft (oldest first, then id): not found -> not approved -> suppressed
 * -> already sent -> duplicate within this batch -> not whitelisted -> over the ramp allowance.
 */
import type { Motion, SelectableDraft } from '../queue/draft.js';
import { emailDomain } from '../canonical-email.js';

export type SendMode = 'log-only' | 'whitelist' | 'live';

export type ExclusionReason =
  | 'not_found'
  | 'not_approved'
  | 'not_an_email'
  | 'suppressed'
  | 'already_sent'
  | 'already_sent_external'
  | 'duplicate_in_batch'
  | 'not_whitelisted'
  | 'ramp_limit';

export interface Exclusion {
  draft_id: string;
  reason: ExclusionReason;
  detail: string;
}

export interface SelectionInput<D extends SelectableDraft = SelectableDraft> {
  /** Drafts in scope (for explicit ids, whatever was found; order does not matter). */
  drafts: readonly D[];
  /** Explicit ids asked for, when the scope is a list of ids. */
  requestedIds?: readonly string[] | undefined;
  motion?: Motion | 'all' | undefined;
  /** canonical email -> reason. */
  suppressed: ReadonlyMap<string, string>;
  /** canonical emails already sent to. */
  sent: ReadonlySet<string>;
  mode: SendMode;
  whitelist: readonly string[];
  /** Sends still allowed today by the ramp. */
  remainingAllowance: number;
}

export interface Selection<D extends SelectableDraft = SelectableDraft> {
  items: D[];
  excluded: Exclusion[];
}

export function isWhitelisted(email: string, whitelist: readonly string[]): boolean {
  const address = email.trim().toLowerCase();
  const domain = emailDomain(address);
  return whitelist.some((entry) => {
    const rule = entry.trim().toLowerCase();
    if (rule === '') return false;
    if (rule.startsWith('@')) return domain === rule.slice(1);
    return rule === address || rule === address.replace(/\+[^@]*@/, '@');
  });
}

const byAge = (a: SelectableDraft, b: SelectableDraft) =>
  a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

export function selectBatch<D extends SelectableDraft>(input: SelectionInput<D>): Selection<D> {
  const excluded: Exclusion[] = [];
  const items: D[] = [];
  const found = new Map(input.drafts.map((d) => [d.id, d]));
  if (input.requestedIds) {
    for (const id of new Set(input.requestedIds)) {
      if (!found.has(id))
        excluded.push({ draft_id: id, reason: 'not_found', detail: 'no draft with this id' });
    }
  }
  const inScope = [...found.values()]
    .filter(
      (d) =>
        input.requestedIds !== undefined ||
        input.motion === undefined ||
        input.motion === 'all' ||
        d.motion === input.motion,
    )
    .sort(byAge);
  const taken = new Set<string>();
  let allowance = Math.max(0, input.remainingAllowance);
  for (const draft of inScope) {
    const key = draft.canonical_email;
    const exclude = (reason: ExclusionReason, detail: string) =>
      excluded.push({ draft_id: draft.id, reason, detail });
    if (draft.kind === 'prep') {
      // A call brief goes to the calendar, never to a send batch.
      if (input.requestedIds) exclude('not_an_email', 'a call brief (kind prep) is never sent');
      continue;
    }
    if (draft.status !== 'approved') {
      // A motion preview only looks at approved drafts; explicit ids explain why they are left out.
      if (input.requestedIds) exclude('not_approved', `status is ${draft.status}`);
      continue;
    }
    const suppression = input.suppressed.get(key);
    if (suppression === 'already_sent_external')
      exclude('already_sent_external', 'contacted outside CAIO (caio ledger import-sent)');
    else if (suppression !== undefined) exclude('suppressed', `address suppressed (${suppression})`);
    else if (input.sent.has(key)) exclude('already_sent', 'this address was already sent to');
    else if (taken.has(key))
      exclude('duplicate_in_batch', 'another draft in this batch has the same address');
    else if (input.mode === 'whitelist' && !isWhitelisted(draft.lead.email, input.whitelist))
      exclude('not_whitelisted', 'whitelist mode: recipient not in EMAIL_WHITELIST');
    else if (allowance <= 0) exclude('ramp_limit', 'over the ramp daily allowance');
    else {
      taken.add(key);
      allowance -= 1;
      items.push(draft);
    }
  }
  return { items, excluded };
}

/** How many exclusions each reason accounts for. */
export function countByReason<R extends string = ExclusionReason>(
  excluded: readonly { reason: R }[],
): Partial<Record<R, number>> {
  const counts: Partial<Record<R, number>> = {};
  for (const ex of excluded) counts[ex.reason] = (counts[ex.reason] ?? 0) + 1;
  return counts;
}

/**
 * What stands in the way of an empty preview, worst first, so a surface can name the one step that
 * helps: `none` (nothing approved in scope), `ramp` (today's allowance is used), `whitelist` (whitelist
 * mode and no recipient on it), `scope` (ids that are missing, not approved or not e-mails) and
 * `contacted` (suppressed or already contacted: those drafts will never be sent).
 */
export type EmptyPreviewCause = 'none' | 'ramp' | 'whitelist' | 'scope' | 'contacted';

export function emptyPreviewCauses(excluded: readonly Exclusion[]): EmptyPreviewCause[] {
  if (excluded.length === 0) return ['none'];
  const reasons = new Set(excluded.map((e) => e.reason));
  const causes: EmptyPreviewCause[] = [];
  if (reasons.has('ramp_limit')) causes.push('ramp');
  if (reasons.has('not_whitelisted')) causes.push('whitelist');
  if (reasons.has('not_found') || reasons.has('not_approved') || reasons.has('not_an_email'))
    causes.push('scope');
  if (
    reasons.has('suppressed') ||
    reasons.has('already_sent') ||
    reasons.has('already_sent_external') ||
    reasons.has('duplicate_in_batch')
  )
    causes.push('contacted');
  return causes;
}
