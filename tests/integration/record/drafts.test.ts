import { expect, it } from 'vitest';
import type { Draft, DraftStatus, Motion } from '../../../src/runtime/domain/queue/draft.js';
import { QueuePageQuerySchema, type QueuePageQuery } from '../../../src/runtime/domain/queue/page.js';
import { UserError } from '../../../src/runtime/errors.js';
import type { RecordStore } from '../../../src/runtime/stores/record/record.js';
import { describeRecords } from '../../helpers/record.js';

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function makeDraft(
  id: string,
  options: {
    email?: string;
    company?: string;
    subject?: string;
    status?: DraftStatus;
    motion?: Motion;
    createdAt?: number;
  } = {},
): Draft {
  const email = options.email ?? `${id}@example.com`;
  const created = iso(options.createdAt ?? T0);
  return {
    id,
    motion: options.motion ?? 'outbound',
    source: 'import',
    lead: { email, ...(options.company ? { company: options.company } : {}) },
    canonical_email: email.toLowerCase(),
    subject: options.subject ?? `Hello ${id}`,
    body: `Body of ${id}`,
    context: [],
    findings: [],
    created_at: created,
    status: options.status ?? 'pending',
    decided_by: null,
    decided_at: null,
    rejection: null,
    duplicate_of: null,
    suppression: null,
    batch_id: null,
    sent_at: null,
    error: null,
    escalated_at: null,
    updated_at: created,
  };
}

const page = (record: RecordStore, query: QueuePageQuery) =>
  record.drafts.page(QueuePageQuerySchema.parse(query));

async function walk(record: RecordStore, query: QueuePageQuery): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 100; guard += 1) {
    const result = await page(record, { ...query, ...(cursor ? { cursor } : {}) });
    ids.push(...result.items.map((d) => d.id));
    if (result.next === null) return ids;
    cursor = result.next;
  }
  throw new Error('the cursor never ended');
}

describeRecords('record drafts', ({ open, reopen }) => {
  it('inserts idempotently on id and reads one or many back', async () => {
    const { record } = await open();
    expect(await record.drafts.insert(makeDraft('a'))).toBe('inserted');
    const changed = { ...makeDraft('a'), subject: 'Changed' };
    expect(await record.drafts.insert(changed)).toBe('exists');
    const stored = await record.drafts.get('a');
    expect(stored?.version).toBe(1);
    expect(stored?.draft.subject).toBe('Hello a');
    expect(await record.drafts.get('missing')).toBeUndefined();
    await record.drafts.insert(makeDraft('b'));
    const many = await record.drafts.getMany(['a', 'b', 'missing', 'a']);
    expect([...many.keys()].sort()).toEqual(['a', 'b']);
    expect(await record.drafts.existing(['a', 'zzz'])).toEqual(new Set(['a']));
  });

  it('holds at most one active draft per canonical address', async () => {
    const { record, config } = await open();
    const other = await reopen(config);
    expect(await record.drafts.insert(makeDraft('p1', { email: 'ann@example.com' }))).toBe('inserted');
    expect(await other.drafts.insert(makeDraft('p2', { email: 'ann@example.com' }))).toBe('address_taken');
    expect(
      await other.drafts.insert(makeDraft('p2', { email: 'ann@example.com', status: 'duplicate' })),
    ).toBe('inserted');
    expect((await record.drafts.activeFor('ann@example.com'))?.draft.id).toBe('p1');
    expect(await record.drafts.activeForMany(['ann@example.com', 'bob@example.com'])).toEqual(
      new Map([['ann@example.com', 'p1']]),
    );
    const written = await record.drafts.insertMany([
      makeDraft('m1', { email: 'cy@example.com' }),
      makeDraft('m2', { email: 'cy@example.com' }),
      makeDraft('p1'),
      makeDraft('m3'),
    ]);
    expect(written).toEqual(new Set(['m1', 'm3']));
    // A rejected draft cannot be made pending again while another holds the address.
    const rejected = await record.drafts.insert(
      makeDraft('r1', { email: 'dee@example.com', status: 'rejected' }),
    );
    expect(rejected).toBe('inserted');
    await record.drafts.insert(makeDraft('r2', { email: 'dee@example.com' }));
    const r1 = await record.drafts.get('r1');
    const cas = await record.drafts.compareAndSet(r1!, { ...r1!.draft, status: 'pending' });
    expect(cas).toEqual({ ok: false, reason: 'address_taken', holder: 'r2' });
  });

  it('compare-and-set: of two writers on one version exactly one wins', async () => {
    const { record, config } = await open();
    const other = await reopen(config);
    await record.drafts.insert(makeDraft('a'));
    const seen = (await record.drafts.get('a'))!;
    const results = await Promise.all([
      record.drafts.compareAndSet(seen, { ...seen.draft, status: 'approved', decided_by: 'Ann' }),
      other.drafts.compareAndSet(seen, { ...seen.draft, status: 'rejected', decided_by: 'Bob' }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const loser = results.find((r) => !r.ok);
    expect(loser).toMatchObject({ ok: false, reason: 'conflict' });
    const now = (await record.drafts.get('a'))!;
    expect(now.version).toBe(2);
    expect(loser && !loser.ok && loser.reason === 'conflict' ? loser.current?.version : 0).toBe(2);
    const counts = await record.drafts.countsByStatus();
    expect(counts.pending).toBe(0);
    expect(counts.approved + counts.rejected).toBe(1);
  });

  it('moves drafts through the domain transitions, refusing a stale version', async () => {
    const { record } = await open();
    await record.drafts.insert(makeDraft('a'));
    const approved = await record.drafts.move('a', { type: 'approve', actor: 'Ann', at: iso(T0 + 1000) });
    expect(approved).toMatchObject({ ok: true, version: 2 });
    expect(await record.drafts.markBatched('a', 1, 'b1', iso(T0 + 2000))).toMatchObject({
      ok: false,
      code: 'conflict',
    });
    expect(await record.drafts.markBatched('a', 2, 'b1', iso(T0 + 2000))).toMatchObject({ ok: true });
    expect(await record.drafts.markSent('a', 'b1', iso(T0 + 3000))).toMatchObject({ ok: true, version: 4 });
    expect(await record.drafts.markFailed('a', 'b1', iso(T0 + 4000), 'x')).toMatchObject({
      ok: false,
      code: 'invalid_transition',
    });
    expect((await record.drafts.ofBatch('b1')).map((s) => s.draft.status)).toEqual(['sent']);
    expect(await record.drafts.move('nope', { type: 'escalate', at: iso(T0) })).toMatchObject({
      ok: false,
      code: 'not_found',
    });
  });

  it('pages by status and motion, oldest or newest first, with a keyset cursor and a total', async () => {
    const { record } = await open();
    const drafts: Draft[] = [];
    for (let i = 0; i < 23; i += 1) {
      // Ties on created_at: the id orders them.
      drafts.push(
        makeDraft(`d${String(i).padStart(2, '0')}`, {
          createdAt: T0 + Math.floor(i / 3) * 1000,
          status: i % 4 === 0 ? 'approved' : 'pending',
          motion: i % 5 === 0 ? 'inbound' : 'outbound',
        }),
      );
    }
    await record.drafts.insertMany([...drafts].reverse());
    const pending = drafts.filter((d) => d.status === 'pending').map((d) => d.id);
    expect(await walk(record, { status: 'pending', limit: 4 })).toEqual(pending);
    expect(await walk(record, { status: 'pending', limit: 4, sort: '-age' })).toEqual([...pending].reverse());
    const first = await page(record, { status: 'pending', limit: 4 });
    expect(first.total).toBe(pending.length);
    expect(first.items).toHaveLength(4);
    expect(first.items[0]).toEqual(drafts.find((d) => d.id === pending[0]));
    const inboundPending = drafts.filter((d) => d.status === 'pending' && d.motion === 'inbound');
    const inbound = await page(record, { status: 'pending', motion: 'inbound', limit: 50 });
    expect(inbound.items.map((d) => d.id)).toEqual(inboundPending.map((d) => d.id));
    expect(inbound.total).toBe(inboundPending.length);
    expect(inbound.next).toBeNull();
    expect((await page(record, {})).total).toBe(23);
    expect(await walk(record, { limit: 7 })).toEqual(drafts.map((d) => d.id));
  });

  it('searches email, company and subject by substring and pattern, case-insensitively, or the inverse', async () => {
    const { record } = await open();
    await record.drafts.insertMany([
      makeDraft('a', { email: 'Ann@Acme.io', company: 'Acme', subject: 'Renewals', createdAt: T0 }),
      makeDraft('b', {
        email: 'bob@globex.com',
        company: 'Globex',
        subject: 'ACME partnership',
        createdAt: T0 + 1,
      }),
      makeDraft('c', { email: 'cy@initech.com', subject: 'Q3 100% plan_x', createdAt: T0 + 2 }),
      makeDraft('d', { email: 'dee@hooli.com', company: 'Hooli', subject: 'Hi', createdAt: T0 + 3 }),
    ]);
    const ids = async (query: QueuePageQuery) => (await page(record, query)).items.map((d) => d.id);
    expect(await ids({ q: 'acme' })).toEqual(['a', 'b']);
    expect(await ids({ q: ' HOOLI ' })).toEqual(['d']);
    expect(await ids({ q: '100%' })).toEqual(['c']);
    expect(await ids({ q: 'plan_x' })).toEqual(['c']);
    expect(await ids({ q: 'acme', invert: true })).toEqual(['c', 'd']);
    expect(await ids({ pattern: '^(ann|dee)@' })).toEqual(['a', 'd']);
    expect(await ids({ pattern: 'GLOBEX\\.com$' })).toEqual(['b']);
    expect(await ids({ pattern: '^(ann|dee)@', invert: true })).toEqual(['b', 'c']);
    expect((await page(record, { q: 'acme', limit: 1 })).total).toBe(2);
    const error = await page(record, { pattern: '([a' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('invalid_pattern');
    const cursor = await page(record, { cursor: 'not-a-cursor' }).catch((e: unknown) => e);
    expect((cursor as UserError).code).toBe('invalid_cursor');
  });

  it('changes its change token with every write, and a rolled-back write changes nothing', async () => {
    const { record, config } = await open();
    const other = await reopen(config);
    const empty = await record.drafts.changeToken();
    await record.drafts.insert(makeDraft('a'));
    const one = await other.drafts.changeToken();
    expect(one).not.toBe(empty);
    await record.drafts.move('a', { type: 'escalate', at: iso(T0 + 5) });
    const two = await other.drafts.changeToken();
    expect(two).not.toBe(one);
    await expect(
      record.transaction(async (tx) => {
        await tx.drafts.insert(makeDraft('b'));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await record.drafts.changeToken()).toBe(two);
    expect(await record.drafts.get('b')).toBeUndefined();
    expect((await record.drafts.countsByStatus()).pending).toBe(1);
  });

  it('counts approvals per operator identity, case-insensitively, from a given time', async () => {
    const { record } = await open();
    await record.drafts.insertMany(['a', 'b', 'c', 'd'].map((id) => makeDraft(id)));
    await record.drafts.move('a', { type: 'approve', actor: 'Maria', at: iso(T0 + 10) });
    await record.drafts.move('b', { type: 'approve', actor: 'maria', at: iso(T0 + 20) });
    await record.drafts.move('c', {
      type: 'reject',
      actor: 'MARIA',
      at: iso(T0 + 30),
      category: 'tone',
      note: null,
    });
    await record.drafts.move('d', { type: 'approve', actor: 'maria', at: iso(T0 - 86_400_000) });
    await record.transaction(async (tx) => {
      await tx.drafts.lockApprovals('MARIA');
      expect(await tx.drafts.approvalsSince('MARIA', iso(T0))).toBe(2);
    });
    expect(await record.drafts.approvalsSince('bob', iso(T0))).toBe(0);
    expect(await record.drafts.approvalsByOperator(iso(T0))).toEqual([{ reviewer: 'maria', used: 2 }]);
    expect(await record.drafts.decisionsSince(iso(T0))).toEqual({ approved: 2, decided: 3 });
    expect((await record.drafts.get('a'))?.draft.decided_by).toBe('Maria');
  });

  it('answers aging and SLA questions with indexed queries', async () => {
    const { record } = await open();
    await record.drafts.insertMany(
      Array.from({ length: 10 }, (_, i) => makeDraft(`p${i}`, { createdAt: T0 + i * 60_000 })),
    );
    expect(await record.drafts.pendingCreatedAtByAgeRank(1)).toBe(iso(T0 + 9 * 60_000));
    expect(await record.drafts.pendingCreatedAtByAgeRank(10)).toBe(iso(T0));
    expect(await record.drafts.pendingCreatedAtByAgeRank(11)).toBeUndefined();
    const breaches = await record.drafts.pendingOlderThan(iso(T0 + 3 * 60_000), 2);
    expect(breaches).toEqual({ count: 3, ids: ['p0', 'p1'] });
    await record.drafts.move('p0', { type: 'escalate', at: iso(T0 + 1) });
    expect(
      (await record.drafts.unescalatedOlderThan(iso(T0 + 3 * 60_000), 10)).map((s) => s.draft.id),
    ).toEqual(['p1', 'p2']);
  });

  it('gives a preview the approved drafts of a motion, or any given ids, with versions', async () => {
    const { record } = await open();
    await record.drafts.insertMany([
      makeDraft('a', { createdAt: T0 + 2 }),
      makeDraft('b', { createdAt: T0 + 1, motion: 'inbound' }),
      makeDraft('c', { createdAt: T0 }),
    ]);
    for (const id of ['a', 'b'])
      await record.drafts.move(id, { type: 'approve', actor: 'x', at: iso(T0 + 9) });
    const all = await record.drafts.forPreview({});
    expect(all.map((row) => [row.draft.id, row.version])).toEqual([
      ['b', 2],
      ['a', 2],
    ]);
    expect((await record.drafts.forPreview({ motion: 'outbound' })).map((row) => row.draft.id)).toEqual([
      'a',
    ]);
    const byIds = await record.drafts.forPreview({ ids: ['c', 'a', 'zz'] });
    expect(byIds.map((row) => [row.draft.id, row.status]).sort()).toEqual([
      ['a', 'approved'],
      ['c', 'pending'],
    ]);
    expect(Object.keys(all[0]!.draft).sort()).not.toContain('findings');
  });
});
