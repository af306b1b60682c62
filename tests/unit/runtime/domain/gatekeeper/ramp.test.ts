import { describe, expect, it } from 'vitest';
import {
  cleanStreak,
  decideGraduation,
  rampStatus,
  tierLimit,
  type RampDay,
} from '../../../../../src/runtime/domain/ramp.js';

const day = (d: string, sent: number, failed = 0, incidents = 0): RampDay => ({
  day: d,
  sent,
  failed,
  incidents,
});

describe('ramp', () => {
  it('tier limits double from the start limit', () => {
    expect([0, 1, 2, 3].map((t) => tierLimit(10, t))).toEqual([10, 20, 40, 80]);
  });

  it('counts consecutive clean supervised days back from yesterday; idle days are neutral', () => {
    const days = [
      day('2026-01-01', 5, 1),
      day('2026-01-02', 5),
      day('2026-01-04', 3),
      day('2026-01-05', 10),
      day('2026-01-06', 2, 2),
    ];
    expect(cleanStreak(days, '2026-01-06', undefined)).toBe(3);
    expect(cleanStreak(days, '2026-01-07', undefined)).toBe(0);
    expect(cleanStreak([...days.slice(0, 4), day('2026-01-05', 10, 0, 1)], '2026-01-06', undefined)).toBe(0);
    expect(cleanStreak(days, '2026-01-06', '2026-01-02')).toBe(2);
  });

  it('remaining allowance and graduation eligibility', () => {
    const status = rampStatus({
      startLimit: 10,
      cleanDaysToGraduate: 3,
      tier: 0,
      graduatedOn: undefined,
      days: [day('2026-01-02', 10), day('2026-01-03', 10), day('2026-01-04', 9), day('2026-01-05', 4, 0)],
      today: '2026-01-05',
    });
    expect(status).toMatchObject({
      tier: 0,
      daily_limit: 10,
      sent_today: 4,
      remaining_today: 6,
      clean_days: 3,
      eligible_to_graduate: true,
      next_daily_limit: 20,
      blockers: [],
    });
    expect(decideGraduation(status, 10, false)).toMatchObject({
      ok: false,
      message: expect.stringContaining('explicit confirmation'),
    });
    expect(decideGraduation(status, 10, true)).toEqual({ ok: true, tier: 1, daily_limit: 20 });
  });

  it('refuses graduation without enough clean days, saying how many', () => {
    const status = rampStatus({
      startLimit: 10,
      cleanDaysToGraduate: 3,
      tier: 1,
      graduatedOn: '2026-01-04',
      days: [day('2026-01-04', 3)],
      today: '2026-01-05',
    });
    expect(status.clean_days).toBe(0);
    expect(decideGraduation(status, 10, true)).toEqual({
      ok: false,
      message: 'Cannot graduate the ramp yet: 0 of 3 clean supervised days since the last graduation',
    });
  });
});
