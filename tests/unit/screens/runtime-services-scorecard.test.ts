import { describe, expect, it } from 'vitest';
import { computeScorecard, parseIsoWeek } from '../../../src/runtime/domain/rubric/scorecard.js';
import { scorecardView } from '../../../src/screens/runtime-services.js';
import { signOffLines } from '../../../src/screens/ScorecardScreen.js';

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
    expect(signOffLines(view, 'pat')).toEqual({
      lines: [
        'Signed off by pat (pto) at 2026-11-20 16:05 UTC',
        'Release decision then: GO',
        'Note: looks right',
      ],
      color: 'green',
    });
  });

  it('a week not signed off tells who would sign it and how; an unreadable record says so', () => {
    const open = scorecardView(card({ releaseDecision: null, signOffs: [] }));
    expect(signOffLines(open, 'pat').lines).toEqual([
      'Not signed off yet — s signs it off as pat (pto role)',
      'Release decision: none yet',
    ]);
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
    expect(signOffLines(forced, 'pat').lines).toEqual([
      'Signed off by ana (admin) at 2026-11-21 08:00 UTC',
      'Release decision then: none, forced over an earlier sign-off',
    ]);
    expect(signOffLines(scorecardView(card({})), 'pat').lines).toEqual([
      'Sign-off: unknown (the record could not be read)',
    ]);
  });
});
