/**
 * Draft status transitions as one pure function. Services apply the result with a compare-and-set
 * on the version they read, so two racing decisions resolve to one outcome.
 *
 *   pending  --approve-->  approved  --batch-->  batched  --send--> sent
 *   pending  --reject--->  rejected                        --fail--> failed
 *   approved/rejected --undo (within the grace period, decider only)--> pending
 *   pending/approved/batched --suppress--> suppressed      pending --duplicate--> duplicate
 */
import type { Draft, DraftStatus } from './draft.js';

/** Undo is allowed this long after a decision (SPEC 7: "a short grace period"). */
export const UNDO_GRACE_MS = 5 * 60 * 1000;

export type DraftAction =
  | { type: 'approve'; actor: string; at: string }
  | { type: 'reject'; actor: string; at: string; category: string; note: string | null }
  | { type: 'undo'; actor: string; at: string; graceMs?: number }
  | { type: 'batch'; batchId: string; at: string }
  | { type: 'send'; batchId: string; at: string }
  | { type: 'fail'; batchId: string; at: string; error: string }
  | { type: 'suppress'; reason: string; source: string; at: string }
  | { type: 'duplicate'; of: string; at: string }
  | { type: 'escalate'; at: string };

export type TransitionResult =
  | { ok: true; draft: Draft }
  | { ok: false; code: 'invalid_transition' | 'grace_expired' | 'not_decider'; message: string };

const FROM: Record<DraftAction['type'], readonly DraftStatus[]> = {
  approve: ['pending'],
  reject: ['pending'],
  undo: ['approved', 'rejected'],
  batch: ['approved'],
  send: ['batched'],
  fail: ['batched'],
  suppress: ['pending', 'approved', 'batched'],
  duplicate: ['pending'],
  escalate: ['pending'],
};

const VERB: Record<DraftAction['type'], string> = {
  approve: 'approve',
  reject: 'reject',
  undo: 'undo',
  batch: 'batch',
  send: 'send',
  fail: 'mark failed',
  suppress: 'suppress',
  duplicate: 'mark duplicate',
  escalate: 'escalate',
};

export function canApply(status: DraftStatus, action: DraftAction['type']): boolean {
  return FROM[action].includes(status);
}

export function transition(draft: Draft, action: DraftAction): TransitionResult {
  if (!canApply(draft.status, action.type)) {
    const who = draft.decided_by ? ` by ${draft.decided_by}` : '';
    return {
      ok: false,
      code: 'invalid_transition',
      message: `Cannot ${VERB[action.type]} draft ${draft.id}: it is ${draft.status}${who}`,
    };
  }
  const base = { ...draft, updated_at: action.at };
  switch (action.type) {
    case 'approve':
      return {
        ok: true,
        draft: {
          ...base,
          status: 'approved',
          decided_by: action.actor,
          decided_at: action.at,
          rejection: null,
        },
      };
    case 'reject':
      return {
        ok: true,
        draft: {
          ...base,
          status: 'rejected',
          decided_by: action.actor,
          decided_at: action.at,
          rejection: { category: action.category, note: action.note },
        },
      };
    case 'undo': {
      const grace = action.graceMs ?? UNDO_GRACE_MS;
      const decidedAt = draft.decided_at ? Date.parse(draft.decided_at) : Number.NaN;
      if (!(Date.parse(action.at) - decidedAt <= grace)) {
        return {
          ok: false,
          code: 'grace_expired',
          message: `Cannot undo draft ${draft.id}: the ${Math.round(grace / 60_000)}-minute undo window after its decision has passed`,
        };
      }
      // One identity, compared case-insensitively (SPEC 12).
      if (draft.decided_by?.toLowerCase() !== action.actor.toLowerCase()) {
        return {
          ok: false,
          code: 'not_decider',
          message: `Cannot undo draft ${draft.id}: it was decided by ${draft.decided_by ?? 'someone else'}, not ${action.actor}`,
        };
      }
      return {
        ok: true,
        draft: { ...base, status: 'pending', decided_by: null, decided_at: null, rejection: null },
      };
    }
    case 'batch':
      return { ok: true, draft: { ...base, status: 'batched', batch_id: action.batchId } };
    case 'send':
      return {
        ok: true,
        draft: { ...base, status: 'sent', batch_id: action.batchId, sent_at: action.at, error: null },
      };
    case 'fail':
      return {
        ok: true,
        draft: { ...base, status: 'failed', batch_id: action.batchId, error: action.error },
      };
    case 'suppress':
      return {
        ok: true,
        draft: {
          ...base,
          status: 'suppressed',
          suppression: { reason: action.reason, source: action.source, at: action.at },
        },
      };
    case 'duplicate':
      return { ok: true, draft: { ...base, status: 'duplicate', duplicate_of: action.of } };
    case 'escalate':
      return { ok: true, draft: { ...base, escalated_at: action.at } };
  }
}
