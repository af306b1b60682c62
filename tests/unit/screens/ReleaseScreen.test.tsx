import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { waitForFrame } from './helpers.js';
import { mount } from './mount.js';

afterEach(() => cleanup());

describe('Release screen', () => {
  it('shows the checklist with live PASS/FAIL, evidence and the verdict', async () => {
    const { frame } = mount({}, { initialScreen: 'release' });
    const f = await waitForFrame(frame, 'Release Decision: NO-GO');
    expect(f.split('\n').slice(1, 9)).toEqual([
      'Release Decision: NO-GO  (staging)  pending: pto_inputs, replay_gate',
      'No-go: staging smoke (auth_smoke_staging) has not run for this release (+1 more)',
      '4 rows',
      '  STATUS       STEP         KIND   TITLE                                    BY',
      '  PENDING      pto_inputs   manual Confirm PTO inputs',
      '  PASS         validate_env auto   Validate env                             caio',
      '  FAIL         replay_gate  auto   Replay gate >= 95%                       caio',
      '  PASS         stable_24h   manual Staging stable 24 h                      pat',
    ]);
    // the selected step's help text, and C (run all) in the key bar
    expect(f).toContain('Help: tokens rotated, CORS explicit, strict flags on');
    expect(f).toMatch(/C run all/);
  });

  it('ticks a manual step, re-runs a check, refuses the wrong action per kind, exports', async () => {
    const { frame, press, calls } = mount({}, { initialScreen: 'release' });
    await waitForFrame(frame, 'Release Decision: NO-GO');
    await press('c');
    await waitForFrame(frame, 'pto_inputs is a manual step: press t to tick it.');
    await press('t');
    await waitForFrame(frame, 'Signed off pto_inputs as hos');
    await waitForFrame(frame, '  PASS         pto_inputs');
    await press('j', 't');
    await waitForFrame(frame, 'validate_env is an automatic check: press c to re-run it.');
    await press('j', 'c');
    await waitForFrame(frame, 'Re-ran replay_gate');
    await waitForFrame(frame, 'Release Decision: GO');
    await press('e');
    await waitForFrame(frame, 'Report written to .hive-mind/reports/release.md');
    expect(calls).toEqual(['tick pto_inputs', 'rerun replay_gate', 'export']);
  });

  it('C runs every auto check and shows each outcome live, RUNNING until it finishes', async () => {
    const { frame, press, release } = mount({}, { initialScreen: 'release' });
    await waitForFrame(frame, 'Release Decision: NO-GO');
    await press('C');
    const f = await waitForFrame(frame, '  RUNNING      replay_gate');
    expect(f).toContain('  FAIL         validate_env');
    release.finish();
    await waitForFrame(frame, 'Ran every auto check');
    const g = await waitForFrame(frame, '  PASS         replay_gate');
    expect(g).toContain('  FAIL         validate_env');
  });

  it('--readonly refuses ticks and re-runs but still exports', async () => {
    const { frame, press, calls } = mount({}, { initialScreen: 'release', readonly: true });
    await waitForFrame(frame, 'Release Decision: NO-GO');
    await press('t');
    await waitForFrame(frame, 'Read-only: t (tick) is disabled');
    await press('e');
    await waitForFrame(frame, 'Report written to');
    expect(calls).toEqual(['export']);
  });

  it('asks y/n before re-confirming over someone else, and before withdrawing a sign-off', async () => {
    const { frame, press, calls } = mount({}, { initialScreen: 'release' });
    await waitForFrame(frame, 'Release Decision: NO-GO');
    await press('G');
    const detail = await waitForFrame(frame, 'Sign-offs:');
    expect(detail).toContain('- pat at 2026-11-21T10:00:00Z, note: quiet day');
    await press('t');
    await waitForFrame(frame, 'stable_24h was confirmed by pat: override it? (y/n)');
    await press('n');
    await waitForFrame(frame, 'Nothing changed: stable_24h');
    await press('t');
    await waitForFrame(frame, '(y/n)');
    await press('y');
    await waitForFrame(frame, 'Signed off stable_24h as hos');
    await waitForFrame(frame, (f) => /PASS\s+stable_24h\s+manual Staging stable 24 h\s+hos/.test(f));
    await press('T');
    await waitForFrame(frame, 'Withdraw the sign-off of stable_24h by hos? (y/n)');
    await press('y');
    await waitForFrame(frame, 'Withdrew the sign-off of stable_24h');
    expect(calls.filter((c) => c.includes('tick'))).toEqual([
      'tick stable_24h',
      'tick stable_24h',
      'tick stable_24h --force',
      'untick stable_24h',
    ]);
  });
});
