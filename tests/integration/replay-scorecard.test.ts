import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/runtime/config.js';
import { createRuntime } from '../../src/runtime/services/runtime.js';
import { renderScorecardMarkdown, renderScorecardText } from '../../src/runtime/services/scorecard.js';
import { useTempDir } from '../helpers/temp.js';
import { goodInput } from '../unit/runtime/domain/rubric/fixtures.js';

const tempDir = useTempDir();
const NOW = Date.parse('2026-11-18T12:00:00Z');

describe('scorecard over the real runtime (embedded SQLite)', () => {
  it('reports the latest replay run, the queue decisions, and records the sign-off in the record', async () => {
    let clock = NOW;
    const runtime = await createRuntime(parseConfig({ HIVE_DIR: tempDir() }), { now: () => clock });
    try {
      // A run the week before: the trend compares with it, and it does not count in this week.
      clock = NOW - 7 * 24 * 60 * 60_000;
      await runtime.replay.runGate();
      clock = NOW;
      const before = await runtime.scorecard.weekly();
      expect(before.week).toBe('2026-W47');
      expect(before.replay_pass_rate.status).toBe('unavailable');

      const report = await runtime.replay.runGate();
      expect(report.block_build).toBe(false);
      expect(await runtime.replay.last()).toMatchObject({
        pass_rate: report.pass_rate,
        ran_at: '2026-11-18T12:00:00.000Z',
        ran_by: 'scheduler',
      });

      const { lead, draft, context } = goodInput();
      const grounded = await runtime.queue.add({ id: 'd-good', lead, context, ...draft }, 'api');
      const invented = await runtime.queue.add(
        {
          id: 'd-invented',
          lead: { ...lead, email: 'other@brightwave.io' },
          context,
          subject: draft.subject,
          body: `${draft.body}\nPS: 37% faster ramp.`,
        },
        'api',
      );
      expect([grounded.kind, invented.kind]).toEqual(['added', 'added']);
      clock += 30 * 60_000;
      await runtime.queue.approve('d-good', 'hos');
      await runtime.queue.reject('d-invented', 'hos', 'accuracy', 'made-up number');

      const card = await runtime.scorecard.weekly('2026-W47');
      expect(card.replay_pass_rate).toMatchObject({
        status: 'ok',
        value: {
          pass_rate: report.pass_rate,
          block_build: false,
          runs_this_week: 1,
          change_vs_previous_week: 0,
        },
      });
      expect(card.groundedness_failures).toEqual({ status: 'ok', value: 1 });
      expect(card.approval_rate).toEqual({ status: 'ok', value: { approved: 1, decided: 2, rate: 0.5 } });
      expect(card.rejections_by_category).toEqual({ status: 'ok', value: { accuracy: 1 } });
      expect(card.time_to_decision_minutes).toEqual({
        status: 'ok',
        value: { decided: 2, p50: 30, p95: 30 },
      });
      expect(card.bounces.status).toBe('unavailable');
      expect(card.sign_off).toEqual({ status: 'ok', value: null });

      await runtime.operators.add('Hana', 'pto', 'admin');
      const signed = await runtime.scorecard.signOff({ by: 'hana', note: 'reviewed' });
      expect(signed.sign_off).toMatchObject({
        status: 'ok',
        value: { by: 'hana', role: 'pto', note: 'reviewed', forced: false, earlier: 0 },
      });
      const [row] = await runtime.record.audit.tail(1);
      expect(row).toMatchObject({
        actor: 'hana',
        action: 'scorecard.sign_off',
        subject: 'scorecard/2026-W47',
        details: { role: 'pto', note: 'reviewed', forced: false, decision: null },
      });
      // The week's figures are kept with the sign-off, as they were when it was signed.
      expect((await runtime.record.scorecard.forWeek('2026-W47'))[0]?.figures).toMatchObject({
        replay_pass_rate: report.pass_rate,
        approval_rate: { approved: 1, decided: 2, rate: 0.5 },
      });

      const text = renderScorecardText(signed);
      expect(text).toMatch(
        /^Replay pass rate\s+100% \(threshold 95%, block_build=false, \+0 points vs last week\)$/m,
      );
      expect(text).toMatch(
        /^Sign-off\s+hana \(pto\) at 2026-11-18T12:30:00\.000Z, decision then: none — reviewed$/m,
      );
      expect(text).toMatch(/^Bounces\s+unavailable \(/m);
      expect(renderScorecardMarkdown(signed)).toContain('| HoS approval rate | 50% (1 of 2) |');

      const lastWeek = await runtime.scorecard.weekly('2026-W46');
      // Last week has its own run, and nothing before it to compare with.
      expect(lastWeek.replay_pass_rate).toMatchObject({
        status: 'ok',
        value: { runs_this_week: 1, change_vs_previous_week: null },
      });
      expect(lastWeek.sign_off).toEqual({ status: 'ok', value: null });
      expect((await runtime.scorecard.weekly('2026-W45')).replay_pass_rate.status).toBe('unavailable');
      expect(lastWeek.approval_rate).toEqual({
        status: 'ok',
        value: { approved: 0, decided: 0, rate: null },
      });
    } finally {
      await runtime.close();
    }
  });

  it('only the PTO (or an admin) signs off, once per week; --force keeps the first and is audited', async () => {
    let clock = NOW;
    const runtime = await createRuntime(parseConfig({ HIVE_DIR: tempDir() }), { now: () => clock });
    try {
      await runtime.operators.add('pat', 'pto', 'admin');
      await runtime.operators.add('ana', 'admin', 'admin');
      await runtime.operators.add('maria', 'reviewer', 'admin');
      await runtime.operators.add('gone', 'pto', 'admin');
      await runtime.operators.revoke('gone', 'admin');
      const refusal = (promise: Promise<unknown>) =>
        promise.then(
          () => undefined,
          (error: unknown) => error,
        );

      const reviewer = await refusal(runtime.scorecard.signOff({ by: 'maria' }));
      expect(reviewer).toMatchObject({
        code: 'sign_off_forbidden',
        exitCode: 1,
        message:
          'confirming release steps and signing off the scorecard needs the pto or admin role; maria is a reviewer',
      });
      for (const who of ['nobody', 'gone']) {
        expect(await refusal(runtime.scorecard.signOff({ by: who }))).toMatchObject({
          code: 'sign_off_forbidden',
          message: `${who} is not an active operator: signing off the scorecard needs the pto or admin role`,
        });
      }
      expect(await runtime.record.scorecard.countForWeek('2026-W47')).toBe(0);
      expect(await runtime.record.audit.tail(10)).not.toContainEqual(
        expect.objectContaining({ action: 'scorecard.sign_off' }),
      );

      // The week's release decision (from the audit chain) is kept beside the sign-off.
      await runtime.record.audit.append({
        actor: 'pat',
        action: 'release.decision',
        subject: 'v1/staging',
        details: { decision: 'GO' },
      });
      clock += 60_000;
      const first = await runtime.scorecard.signOff({ by: 'PAT' });
      expect(first.sign_off).toMatchObject({
        status: 'ok',
        value: { by: 'PAT', decision_at_sign_off: 'GO' },
      });
      expect(first.release_decision).toMatchObject({ status: 'ok', value: { decision: 'GO' } });

      const again = await refusal(runtime.scorecard.signOff({ by: 'ana', note: 'second look' }));
      expect(again).toMatchObject({
        code: 'scorecard_already_signed',
        exitCode: 1,
        message:
          '2026-W47 is already signed off by PAT at 2026-11-18T12:01:00.000Z; a week is signed off once',
      });
      expect(await runtime.record.scorecard.countForWeek('2026-W47')).toBe(1);

      clock += 60_000;
      const forced = await runtime.scorecard.signOff({ by: 'ana', note: 'second look', force: true });
      expect(forced.sign_off).toMatchObject({
        status: 'ok',
        value: { by: 'ana', role: 'admin', forced: true, earlier: 1, note: 'second look' },
      });
      expect(await runtime.record.scorecard.forWeek('2026-W47')).toMatchObject([
        { signed_by: 'ana', forced: true },
        { signed_by: 'PAT', forced: false },
      ]);
      const [row] = await runtime.record.audit.tail(1);
      expect(row).toMatchObject({
        actor: 'ana',
        action: 'scorecard.sign_off',
        details: { forced: true, replaces: { by: 'PAT', at: '2026-11-18T12:01:00.000Z' }, decision: 'GO' },
      });
      // --force on a week nobody signed yet is an ordinary first sign-off.
      const next = await runtime.scorecard.signOff({ by: 'pat', week: '2026-W46', force: true });
      expect(next.sign_off).toMatchObject({ status: 'ok', value: { forced: false, earlier: 0 } });
      // The service token acts as admin; an operator token's role is given by the HTTP layer.
      const service = await runtime.scorecard.signOff({
        by: 'ops (service token)',
        role: 'admin',
        week: '2026-W45',
      });
      expect(service.sign_off).toMatchObject({
        status: 'ok',
        value: { by: 'ops (service token)', role: 'admin' },
      });
      expect(
        await refusal(runtime.scorecard.signOff({ by: 'vic', role: 'viewer', week: '2026-W44' })),
      ).toMatchObject({ code: 'sign_off_forbidden' });
    } finally {
      await runtime.close();
    }
  });
});
