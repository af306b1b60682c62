import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/runtime/config.js';
import { createRuntime } from '../../src/runtime/services/runtime.js';
import { renderScorecardMarkdown, renderScorecardText } from '../../src/runtime/services/scorecard.js';
import { useTempDir } from '../helpers/temp.js';
import { goodInput } from '../unit/runtime/domain/rubric/fixtures.js';

const tempDir = useTempDir();
const NOW = Date.parse('2026-11-18T12:00:00Z');

describe('scorecard over the real runtime (embedded SQLite)', () => {
  it('reports the latest replay run, the queue decisions, and records the sign-off in the audit trail', async () => {
    let clock = NOW;
    const runtime = await createRuntime(parseConfig({ HIVE_DIR: tempDir() }), { now: () => clock });
    try {
      const before = await runtime.scorecard.weekly();
      expect(before.week).toBe('2026-W47');
      expect(before.replay_pass_rate.status).toBe('unavailable');

      const report = await runtime.replay.runGate();
      expect(report.block_build).toBe(false);
      expect(runtime.replay.last()).toMatchObject({
        pass_rate: report.pass_rate,
        ran_at: '2026-11-18T12:00:00.000Z',
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
        value: { pass_rate: report.pass_rate, block_build: false },
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

      const signed = await runtime.scorecard.signOff({ by: 'Hana', note: 'reviewed' });
      expect(signed.sign_off).toMatchObject({ status: 'ok', value: { by: 'Hana', note: 'reviewed' } });
      const row = (await runtime.audit.tail(1))[0];
      expect(row).toMatchObject({
        actor: 'Hana',
        action: 'scorecard.sign_off',
        subject: 'scorecard/2026-W47',
      });
      expect(await runtime.audit.verify()).toMatchObject({ ok: true });

      const text = renderScorecardText(signed);
      expect(text).toMatch(/^Replay pass rate\s+100% \(threshold 95%, block_build=false\)$/m);
      expect(text).toMatch(/^Bounces\s+unavailable \(/m);
      expect(renderScorecardMarkdown(signed)).toContain('| HoS approval rate | 50% (1 of 2) |');

      const lastWeek = await runtime.scorecard.weekly('2026-W46');
      expect(lastWeek.replay_pass_rate.status).toBe('unavailable');
      expect(lastWeek.approval_rate).toEqual({
        status: 'ok',
        value: { approved: 0, decided: 0, rate: null },
      });
    } finally {
      await runtime.close();
    }
  });
});
