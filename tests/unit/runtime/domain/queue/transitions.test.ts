import { describe, expect, it } from 'vitest';
import { DRAFT_STATUSES, type DraftStatus } from '../../../../../src/runtime/domain/queue/draft.js';
import {
  UNDO_GRACE_MS,
  canApply,
  transition,
  type DraftAction,
} from '../../../../../src/runtime/domain/queue/transitions.js';
import { makeDraft } from '../../../../helpers/queue/drafts.js';

const at = '2026-01-05T12:00:00.000Z';
const later = (ms: number) => new Date(Date.parse(at) + ms).toISOString();

const actions: DraftAction[] = [
  { type: 'approve', actor: 'hos', at },
  { type: 'reject', actor: 'hos', at, category: 'tone', note: null },
  { type: 'undo', actor: 'hos', at },
  { type: 'batch', batchId: 'b1', at },
  { type: 'send', batchId: 'b1', at },
  { type: 'fail', batchId: 'b1', at, error: 'x' },
  { type: 'suppress', reason: 'bounced', source: 'instantly', at },
  { type: 'duplicate', of: 'd0', at },
];

const allowed: Record<DraftAction['type'], DraftStatus[]> = {
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

describe('draft transitions', () => {
  it('allow exactly the documented edges', () => {
    for (const action of actions) {
      for (const status of DRAFT_STATUSES) {
        const draft = makeDraft({ id: 'd1', status, decided_by: 'hos', decided_at: at });
        const result = transition(draft, action);
        expect(result.ok, `${action.type} from ${status}`).toBe(allowed[action.type].includes(status));
        expect(canApply(status, action.type)).toBe(allowed[action.type].includes(status));
      }
    }
  });

  it('approve records who and when; reject records the category and note', () => {
    const approved = transition(makeDraft({ id: 'd1' }), { type: 'approve', actor: 'maria', at });
    expect(approved).toMatchObject({
      ok: true,
      draft: { status: 'approved', decided_by: 'maria', decided_at: at },
    });
    const rejected = transition(makeDraft({ id: 'd1' }), {
      type: 'reject',
      actor: 'maria',
      at,
      category: 'tone',
      note: 'pushy',
    });
    expect(rejected).toMatchObject({
      ok: true,
      draft: { status: 'rejected', rejection: { category: 'tone', note: 'pushy' } },
    });
  });

  it('a refused transition names the current status and decider', () => {
    const result = transition(makeDraft({ id: 'd9', status: 'rejected', decided_by: 'maria' }), {
      type: 'approve',
      actor: 'joe',
      at,
    });
    expect(result).toEqual({
      ok: false,
      code: 'invalid_transition',
      message: 'Cannot approve draft d9: it is rejected by maria',
    });
  });

  it('undo works inside the grace period, for the decider only', () => {
    const approved = makeDraft({ id: 'd1', status: 'approved', decided_by: 'maria', decided_at: at });
    const inside = transition(approved, { type: 'undo', actor: 'maria', at: later(UNDO_GRACE_MS) });
    expect(inside).toMatchObject({
      ok: true,
      draft: { status: 'pending', decided_by: null, decided_at: null },
    });
    const outside = transition(approved, { type: 'undo', actor: 'maria', at: later(UNDO_GRACE_MS + 1) });
    expect(outside).toMatchObject({ ok: false, code: 'grace_expired' });
    const other = transition(approved, { type: 'undo', actor: 'joe', at: later(1000) });
    expect(other).toMatchObject({ ok: false, code: 'not_decider' });
  });

  it('does not mutate its input', () => {
    const draft = makeDraft({ id: 'd1' });
    const copy = structuredClone(draft);
    transition(draft, { type: 'approve', actor: 'x', at });
    expect(draft).toEqual(copy);
  });
});
