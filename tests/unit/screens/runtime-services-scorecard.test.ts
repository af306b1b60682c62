import { describe, expect, it } from 'vitest';
import { computeScorecard, parseIsoWeek } from '../../../src/runtime/domain/rubric/scorecard.js';
import { scorecardView } from '../../../src/screens/runtime-services.js';
import { signOffLine } from '../../../src/screens/ScorecardScreen.js';

const week = parseIsoWeek('2026-W47')!;
const card = (inputs: Partial<Parameters<typeof computeScorecard>[0]>) =>
  computeScorecard({ week, current: false, reasons: { default: 'not in this build' }, ...inputs });

describe('the scorecard as the console shows it', () => {
  it('shows each metric as a row, and who signed the week off and when beside the decision then', () => {
    const view = scorecardView(
      card({
        releaseDecision: {
          decision: 'GO',
          subject: 'v1/production',
          by: 'pat',
          at: '2026-11-19T10:00:00.000Z',
        },
        signOffs: [
          {
            signed_by: 'pat',
            signed_at: '2026-11-20T16:05:00.000Z',
            role: 'pto',
            note: 'looks right',
            forced: false,
            decision: 'GO',
          },
        ],
      }),
    );
    expect(view.week).toBe('2026-W47');
    expect(view.rows.map((row) => row.label)).toContain('Replay pass rate');
    expect(view.rows.map((row) => row.label)).not.toContain('Sign-off');
    expect(view.rows.find((row) => row.label === 'Bounces')?.value).toMatch(/^unavailable \(/);
    expect(view.decision).toBe('GO');
    expect(signOffLine(view, 'pat')).toEqual({
      text: 'Signed off by pat (pto) at 2026-11-20 16:05 UTC, decision then: GO — looks right',
      color: 'green',
    });
  });

  it('a week not signed off tells who would sign it and how; an unreadable record says so', () => {
    const open = scorecardView(card({ releaseDecision: null, signOffs: [] }));
    expect(signOffLine(open, 'pat').text).toBe(
      'Not signed off yet; release decision: none yet — s signs it off as pat (pto role)',
    );
    const forced = scorecardView(
      card({
        releaseDecision: null,
        signOffs: [
          {
            signed_by: 'ana',
            signed_at: '2026-11-21T08:00:00.000Z',
            role: 'admin',
            note: null,
            forced: true,
            decision: null,
          },
          {
            signed_by: 'pat',
            signed_at: '2026-11-20T16:05:00.000Z',
            role: 'pto',
            note: null,
            forced: false,
            decision: null,
          },
        ],
      }),
    );
    expect(signOffLine(forced, 'pat').text).toBe(
      'Signed off by ana (admin) at 2026-11-21 08:00 UTC, decision then: none (forced over an earlier sign-off)',
    );
    expect(signOffLine(scorecardView(card({})), 'pat').text).toBe(
      'Sign-off: unknown (the record could not be read)',
    );
  });
});
