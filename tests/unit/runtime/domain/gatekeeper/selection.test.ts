import { describe, expect, it } from 'vitest';
import {
  isWhitelisted,
  selectBatch,
  type SelectionInput,
} from '../../../../../src/runtime/domain/gatekeeper/selection.js';
import { makeDraft } from '../../../../helpers/queue/drafts.js';

const approved = (
  id: string,
  email: string,
  created = '2026-01-05T10:00:00.000Z',
  motion: 'outbound' | 'inbound' = 'outbound',
) =>
  makeDraft({
    id,
    status: 'approved',
    lead: { email },
    canonical_email: email.toLowerCase(),
    created_at: created,
    motion,
  });

const base = (overrides: Partial<SelectionInput>): SelectionInput => ({
  drafts: [],
  suppressed: new Map(),
  sent: new Set(),
  mode: 'log-only',
  whitelist: [],
  remainingAllowance: 100,
  ...overrides,
});

describe('gatekeeper selection', () => {
  it('applies suppression, already sent, in-batch dedup, whitelist and the ramp, with reasons', () => {
    const drafts = [
      approved('d1', 'a@acme.io', '2026-01-05T10:00:01.000Z'),
      approved('d2', 'b@acme.io', '2026-01-05T10:00:02.000Z'),
      approved('d3', 'c@acme.io', '2026-01-05T10:00:03.000Z'),
      approved('d4', 'a@acme.io', '2026-01-05T10:00:04.000Z'),
      approved('d5', 'e@other.io', '2026-01-05T10:00:05.000Z'),
      approved('d6', 'f@acme.io', '2026-01-05T10:00:06.000Z'),
      approved('d7', 'g@acme.io', '2026-01-05T10:00:07.000Z'),
    ];
    const result = selectBatch(
      base({
        drafts: [...drafts].reverse(),
        suppressed: new Map([['b@acme.io', 'unsubscribed']]),
        sent: new Set(['c@acme.io']),
        mode: 'whitelist',
        whitelist: ['@acme.io'],
        remainingAllowance: 2,
      }),
    );
    expect(result.items.map((d) => d.id)).toEqual(['d1', 'd6']);
    expect(result.excluded.map((e) => [e.draft_id, e.reason])).toEqual([
      ['d2', 'suppressed'],
      ['d3', 'already_sent'],
      ['d4', 'duplicate_in_batch'],
      ['d5', 'not_whitelisted'],
      ['d7', 'ramp_limit'],
    ]);
  });

  it('filters by motion, and explains explicit ids that are missing or not approved', () => {
    const drafts = [
      approved('o1', 'o1@x.io', undefined, 'outbound'),
      approved('i1', 'i1@x.io', undefined, 'inbound'),
    ];
    expect(selectBatch(base({ drafts, motion: 'inbound' })).items.map((d) => d.id)).toEqual(['i1']);
    expect(selectBatch(base({ drafts, motion: 'all' })).items).toHaveLength(2);
    const pending = makeDraft({ id: 'p1' });
    const byIds = selectBatch(base({ drafts: [drafts[0]!, pending], requestedIds: ['o1', 'p1', 'nope'] }));
    expect(byIds.items.map((d) => d.id)).toEqual(['o1']);
    expect(byIds.excluded).toEqual([
      { draft_id: 'nope', reason: 'not_found', detail: 'no draft with this id' },
      { draft_id: 'p1', reason: 'not_approved', detail: 'status is pending' },
    ]);
  });

  it('a zero allowance excludes everything with ramp_limit', () => {
    const result = selectBatch(base({ drafts: [approved('d1', 'a@b.io')], remainingAllowance: 0 }));
    expect(result.items).toEqual([]);
    expect(result.excluded[0]?.reason).toBe('ramp_limit');
  });

  it('whitelist entries are addresses or @domains', () => {
    expect(isWhitelisted('Ops@Acme.io', ['ops@acme.io'])).toBe(true);
    expect(isWhitelisted('ops+x@acme.io', ['ops@acme.io'])).toBe(true);
    expect(isWhitelisted('a@sub.acme.io', ['@acme.io'])).toBe(false);
    expect(isWhitelisted('a@acme.io', ['@acme.io'])).toBe(true);
    expect(isWhitelisted('a@acme.io', [])).toBe(false);
  });
});
