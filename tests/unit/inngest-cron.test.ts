import { describe, expect, it } from 'vitest';
import { parseCron } from '../../src/runtime/services/inngest/cron.js';
import { CRONS } from '../../src/runtime/services/inngest/jobs.js';

const at = (iso: string) => new Date(iso);

describe('in-process cron matcher', () => {
  it('matches the three schedules of SPEC 6.3', () => {
    const daily = parseCron(CRONS.traceRetention);
    expect(daily(at('2026-11-21T03:00:00Z'))).toBe(true);
    expect(daily(at('2026-11-21T03:01:00Z'))).toBe(false);
    const aging = parseCron(CRONS.queueAging);
    expect(['00', '15', '30', '45'].every((m) => aging(at(`2026-11-21T10:${m}:00Z`)))).toBe(true);
    expect(aging(at('2026-11-21T10:14:00Z'))).toBe(false);
    const weekly = parseCron(CRONS.replayGate);
    expect(weekly(at('2026-11-23T06:00:00Z'))).toBe(true); // a Monday
    expect(weekly(at('2026-11-24T06:00:00Z'))).toBe(false);
  });

  it('supports ranges, lists, steps and Sunday as 7', () => {
    const cron = parseCron('5-10/5,30 * * * 7');
    expect(cron(at('2026-11-22T00:05:00Z'))).toBe(true); // Sunday
    expect(cron(at('2026-11-22T00:10:00Z'))).toBe(true);
    expect(cron(at('2026-11-22T00:30:00Z'))).toBe(true);
    expect(cron(at('2026-11-22T00:06:00Z'))).toBe(false);
    expect(cron(at('2026-11-23T00:05:00Z'))).toBe(false);
  });

  it('refuses malformed expressions', () => {
    for (const bad of ['* * * *', '61 * * * *', '*/0 * * * *', 'a * * * *', '5-1 * * * *']) {
      expect(() => parseCron(bad), bad).toThrow();
    }
  });
});
