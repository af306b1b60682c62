/**
 * The record's replay and scorecard repositories (SPEC 5, 9), on SQLite and PostgreSQL alike: runs
 * with every figure, baselines with their history, sign-offs once per week (a forced one beside the
 * first), the week's release decision from the audit chain, and the audit rows committed with them.
 */
import { expect, it } from 'vitest';
import { createReplayStore } from '../../../src/runtime/stores/replay-store.js';
import type { ReplayRunInput } from '../../../src/runtime/stores/record/tables/replay.js';
import type { SignOffInput } from '../../../src/runtime/stores/record/tables/scorecard.js';
import { describeRecords } from '../../helpers/record.js';

const run = (over: Partial<ReplayRunInput> = {}): ReplayRunInput => ({
  ran_at: '2026-11-18T09:00:00.000Z',
  ran_by: 'priya',
  golden_set: '/golden',
  total: 160,
  passed: 157,
  pass_rate: 0.98125,
  threshold: 0.95,
  block_build: false,
  critical_count: 0,
  failed_ids: ['a', 'b', 'c'],
  cases_hash: 'c'.repeat(64),
  holdout_hash: 'h'.repeat(64),
  rubric_hash: 'r'.repeat(64),
  holdout_total: 48,
  holdout_passed: 46,
  holdout_failed_ids: ['x', 'y'],
  ...over,
});

const signOff = (over: Partial<SignOffInput> = {}): SignOffInput => ({
  week: '2026-W47',
  signed_by: 'pat',
  role: 'pto',
  signed_at: '2026-11-20T16:00:00.000Z',
  note: 'reviewed',
  decision: 'GO',
  figures: { replay_pass_rate: 0.98125, approval_rate: { approved: 3, decided: 4, rate: 0.75 } },
  ...over,
});

describeRecords('replay runs and scorecard sign-offs', ({ open, reopen }) => {
  it('stores a run with every figure and reads it back exactly, from another process too', async () => {
    const { record, config } = await open();
    const stored = await record.replay.insert(run());
    expect(stored).toEqual({ id: expect.any(Number), ...run() });
    const other = await reopen(config);
    expect(await other.replay.get(stored.id)).toEqual(stored);
    expect(await other.replay.latest()).toEqual(stored);
    const bare = await other.replay.insert(
      run({
        cases_hash: undefined,
        holdout_total: undefined,
        holdout_failed_ids: undefined,
        block_build: true,
      }),
    );
    expect(bare).toMatchObject({
      cases_hash: null,
      holdout_total: null,
      holdout_failed_ids: [],
      block_build: true,
    });
  });

  it('lists newest first within [since, until), per golden set, bounded', async () => {
    const { record } = await open();
    for (let day = 16; day <= 22; day += 1) {
      await record.replay.insert(
        run({
          ran_at: `2026-11-${day}T10:00:00.000Z`,
          golden_set: day % 2 ? '/odd' : '/even',
          critical_count: day === 19 ? 2 : 0,
        }),
      );
    }
    const week = await record.replay.list({
      since: '2026-11-16T00:00:00.000Z',
      until: '2026-11-23T00:00:00.000Z',
    });
    expect(week.map((r) => r.ran_at.slice(8, 10))).toEqual(['22', '21', '20', '19', '18', '17', '16']);
    const odd = await record.replay.list({ goldenSet: '/odd', until: '2026-11-20T00:00:00.000Z' });
    expect(odd.map((r) => r.ran_at.slice(8, 10))).toEqual(['19', '17']);
    expect(await record.replay.list({ limit: 2 })).toHaveLength(2);
    expect((await record.replay.latest('/even'))?.ran_at).toBe('2026-11-22T10:00:00.000Z');
    expect(await record.replay.latest('/none')).toBeUndefined();
  });

  it('keeps every baseline promotion; the newest is the baseline; each is audited with it', async () => {
    const { record } = await open();
    const store = createReplayStore(record);
    const first = await store.recordPromoted(run(), 'pat');
    expect(first).toMatchObject({
      promoted_by: 'pat',
      promoted_at: run().ran_at,
      run: { id: expect.any(Number) },
    });
    const second = await store.record(run({ ran_at: '2026-11-19T09:00:00.000Z', pass_rate: 0.99 }));
    expect((await store.baseline('/golden'))?.run.id).toBe(first.run.id);
    await store.promote(second.id, 'admin-ana', '2026-11-19T10:00:00.000Z');
    expect(await store.baseline('/golden')).toMatchObject({
      run: { id: second.id, pass_rate: 0.99 },
      promoted_by: 'admin-ana',
    });
    expect((await record.replay.promotions('/golden')).map((p) => [p.run_id, p.promoted_by])).toEqual([
      [second.id, 'admin-ana'],
      [first.run.id, 'pat'],
    ]);
    const audit = await record.audit.tail(10);
    expect(audit.map((row) => [row.actor, row.action, row.subject])).toEqual([
      ['pat', 'replay.baseline.promote', `replay-run/${first.run.id}`],
      ['admin-ana', 'replay.baseline.promote', `replay-run/${second.id}`],
    ]);
    await expect(store.promote(9999, 'pat', '2026-11-19T10:00:00.000Z')).rejects.toThrow(
      /No stored replay run #9999/,
    );
    expect(await record.audit.count()).toBe(2);
    expect(await store.baseline('/other')).toBeUndefined();
  });

  it('signs a week off once: a second first sign-off is refused, a forced one is kept beside it', async () => {
    const { record, config } = await open();
    const first = await record.scorecard.insertFirst(signOff());
    expect(first).toEqual({ id: expect.any(Number), forced: false, ...signOff() });
    const other = await reopen(config);
    expect(await other.scorecard.insertFirst(signOff({ signed_by: 'ana' }))).toBeUndefined();
    const forced = await other.scorecard.insertForced(
      signOff({ signed_by: 'ana', note: null, decision: 'NO-GO' }),
    );
    expect(forced).toMatchObject({ forced: true, signed_by: 'ana', decision: 'NO-GO' });
    expect((await record.scorecard.forWeek('2026-W47')).map((s) => [s.signed_by, s.forced])).toEqual([
      ['ana', true],
      ['pat', false],
    ]);
    expect(await record.scorecard.countForWeek('2026-W47')).toBe(2);
    expect(await record.scorecard.forWeek('2026-W48')).toEqual([]);
    expect(await record.scorecard.insertFirst(signOff({ week: '2026-W48' }))).toMatchObject({
      week: '2026-W48',
    });
  });

  it('lets exactly one of many concurrent first sign-offs of a week through', async () => {
    const { record, config } = await open();
    const second = await reopen(config);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? record : second).transaction((tx) =>
          tx.scorecard.insertFirst(signOff({ signed_by: `p${i}` })),
        ),
      ),
    );
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    expect(await record.scorecard.countForWeek('2026-W47')).toBe(1);
  });

  it("reads the week's newest release decision from the audit chain", async () => {
    let clock = Date.parse('2026-11-17T10:00:00Z');
    const { record } = await open({ now: () => clock });
    await record.audit.append({
      actor: 'pat',
      action: 'release.decision',
      subject: 'v1/staging',
      details: { decision: 'NO-GO' },
    });
    clock = Date.parse('2026-11-19T10:00:00Z');
    await record.audit.append({
      actor: 'pat',
      action: 'release.decision',
      subject: 'v1/production',
      details: { decision: 'GO' },
    });
    await record.audit.append({ actor: 'pat', action: 'release.confirm', subject: 'v1/inputs' });
    clock = Date.parse('2026-11-24T10:00:00Z');
    await record.audit.append({
      actor: 'ana',
      action: 'release.decision',
      subject: 'v2/staging',
      details: { decision: 'NO-GO' },
    });
    expect(
      await record.scorecard.weekDecision('2026-11-16T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
    ).toEqual({
      decision: 'GO',
      subject: 'v1/production',
      by: 'pat',
      at: '2026-11-19T10:00:00.000Z',
    });
    expect(
      await record.scorecard.weekDecision('2026-11-09T00:00:00.000Z', '2026-11-16T00:00:00.000Z'),
    ).toBeUndefined();
  });
});
