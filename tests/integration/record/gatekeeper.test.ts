import { sql } from 'kysely';
import { expect, it } from 'vitest';
import type { SendIntent } from '../../../src/runtime/stores/record/tables/gatekeeper-ledger.js';
import { describeRecords } from '../../helpers/record.js';

const T0 = Date.parse('2026-11-29T10:00:00.000Z');
const intent = (i: number, mode = 'live', email = `p${i}@example.com`): SendIntent => ({
  draftId: `d${i}`,
  batchId: 'b1',
  canonicalEmail: email,
  email,
  subject: 's',
  body: 'b',
  mode,
});

describeRecords('record gatekeeper family', ({ kind, open, reopen }) => {
  it('ledger: intent, outcome, blocked by suppression or an earlier send, and the existing row on resume', async () => {
    const { record } = await open();
    expect(await record.ledger.begin(intent(1), T0)).toEqual({ kind: 'new' });
    await record.ledger.complete('d1', { status: 'sent', providerId: 'p-1' }, T0 + 1);
    expect(await record.ledger.begin(intent(1), T0 + 2)).toMatchObject({
      kind: 'existing',
      row: { status: 'sent', provider_id: 'p-1', mode: 'live' },
    });
    expect(await record.ledger.begin({ ...intent(2), canonicalEmail: 'p1@example.com' }, T0)).toMatchObject({
      kind: 'blocked',
      reason: 'already_sent',
    });
    await record.addresses.suppress('p3@example.com', 'unsubscribe', 'instantly', T0);
    expect(await record.ledger.begin(intent(3), T0)).toMatchObject({
      kind: 'blocked',
      reason: 'suppressed',
      detail: 'address suppressed (unsubscribe, instantly)',
    });
    // Without an intent the outcome inserts the row.
    expect(await record.ledger.begin(intent(4, 'log-only'), T0, { writeIntent: false })).toEqual({
      kind: 'new',
    });
    expect(await record.ledger.get('d4')).toBeUndefined();
    await record.ledger.complete('d4', { status: 'sent' }, T0, intent(4, 'log-only'));
    expect((await record.ledger.forBatch('b1')).map((row) => [row.draft_id, row.status])).toEqual([
      ['d1', 'sent'],
      ['d4', 'sent'],
    ]);
    expect(await record.ledger.countForBatch('b1')).toBe(2);
  });

  it('ledger: the daily limit counts every writer of the record; exactly the limit wins a race', async () => {
    const { record, config } = await open();
    const others = await Promise.all([reopen(config), reopen(config)]);
    const writers = [record, ...others];
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (writers[i % writers.length] ?? record).ledger.begin(intent(i), T0, { dailyLimit: 10 }),
      ),
    );
    expect(results.filter((r) => r.kind === 'new')).toHaveLength(10);
    expect(results.filter((r) => r.kind === 'blocked' && r.reason === 'ramp_limit')).toHaveLength(20);
    expect(await record.ledger.liveOn('2026-11-29')).toBe(10);
    // Log-only sends nothing and is never limited.
    expect(await record.ledger.begin(intent(99, 'log-only'), T0, { dailyLimit: 10 })).toEqual({
      kind: 'new',
    });
    expect(await record.ledger.begin(intent(50), T0 + 86_400_000, { dailyLimit: 10 })).toEqual({
      kind: 'new',
    });
  });

  it('ledger: two writers racing for one address, one wins', async () => {
    const { record, config } = await open();
    const other = await reopen(config);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? record : other).ledger.begin(intent(i, 'live', 'same@example.com'), T0),
      ),
    );
    expect(results.filter((r) => r.kind === 'new')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'blocked' && r.reason === 'already_sent')).toHaveLength(7);
  });

  it('batches: stored once and immutable; one run per batch with item rows and compare-and-set', async () => {
    const { record } = await open();
    const batch = {
      id: 'b_1',
      hash: 'h'.repeat(64),
      mode: 'live',
      created_at: '2026-11-29T10:00:00.000Z',
      expires_at: '2026-11-29T10:15:00.000Z',
      previewed_by: 'maria',
      items: [
        { draft_id: 'd1', canonical_email: 'a@x.io' },
        { draft_id: 'd2', canonical_email: 'b@x.io' },
      ],
      excluded: [],
    };
    expect(await record.batches.insert(batch)).toBe(true);
    expect(await record.batches.insert(batch)).toBe(false);
    await expect(sql`update batches set hash = 'x'`.execute(record.db.kysely)).rejects.toThrow(/immutable/);
    await expect(sql`delete from batches`.execute(record.db.kysely)).rejects.toThrow(/immutable/);
    expect(await record.batches.get('b_1')).toEqual(batch);
    expect(await record.batches.get('nope')).toBeUndefined();
    const run = await record.batches.startRun(batch, 'maria');
    expect(run).toMatchObject({ status: 'executing', executed_by: 'maria', resumes: 0, version: 1 });
    expect(await record.batches.startRun(batch, 'joe')).toBeUndefined();
    await record.batches.setItem('b_1', 'd2', 'sent', null);
    expect((await record.batches.items('b_1')).map((row) => [row.draft_id, row.status])).toEqual([
      ['d1', 'pending'],
      ['d2', 'sent'],
    ]);
    const resumed = await record.batches.updateRun(run!, { resumes: 1 });
    expect(resumed?.resumes).toBe(1);
    expect(await record.batches.updateRun(run!, { resumes: 5 })).toBeUndefined();
    const listed = await record.batches.list();
    expect(listed).toHaveLength(1);
    expect(listed[0]?.run).toMatchObject({ status: 'executing', resumes: 1 });
    expect(kind).toMatch(/sqlite|postgres/);
  });

  it('ramp: attempts per day from the ledger, incidents, and the last graduation', async () => {
    const { record } = await open();
    expect(await record.ramp.tier()).toEqual({ tier: 0, graduatedOn: undefined });
    await record.ledger.begin(intent(1), T0);
    await record.ledger.complete('d1', { status: 'sent' }, T0);
    await record.ledger.begin(intent(2), T0);
    await record.ledger.complete('d2', { status: 'failed', detail: 'HTTP 400' }, T0);
    await record.ledger.begin(intent(3), T0);
    await record.ledger.begin(intent(4, 'log-only'), T0);
    await record.ramp.recordIncident('pto', 'complaint', T0 - 86_400_000);
    await record.ramp.recordGraduation(1, 'pto', null, T0);
    expect(await record.ramp.days('2026-11-01')).toEqual([
      { day: '2026-11-28', sent: 0, failed: 0, incidents: 1 },
      { day: '2026-11-29', sent: 2, failed: 1, incidents: 0 },
    ]);
    expect(await record.ramp.tier()).toEqual({ tier: 1, graduatedOn: '2026-11-29' });
  });
});
