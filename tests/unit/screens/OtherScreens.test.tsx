import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { waitForFrame } from './helpers.js';
import { mount } from './mount.js';

afterEach(() => cleanup());

describe('Traces, Webhooks and Scorecard screens', () => {
  it('lists recent trace envelopes, newest first, and filters by status or correlation id', async () => {
    const { frame, press } = mount({}, { initialScreen: 'traces' });
    const f = await waitForFrame(frame, '3 rows');
    expect(f).toContain('  11:59:00 ok     queue.approve  req-1');
    await press('/', 'r', 'e', 'q', '-', '2');
    const g = await waitForFrame(frame, '/req-2█  1 of 3');
    expect(g).toContain('error: HTTP 500');
    expect(g).not.toContain('queue.approve');
  });

  it("shows one request's whole story with c, oldest first, and all traces again with c", async () => {
    const { frame, press } = mount({}, { initialScreen: 'traces' });
    await waitForFrame(frame, '3 rows');
    await press('c');
    const story = await waitForFrame(frame, 'Story of req-1: 2 envelopes');
    expect(story).not.toContain('req-2');
    expect(story.indexOf('queue.approve')).toBeLessThan(story.indexOf('webhook.intake'));
    await press('c');
    await waitForFrame(frame, '3 rows');
  });

  it('shows recent webhook events and toggles quarantined only with Q', async () => {
    const { frame, press } = mount({}, { initialScreen: 'webhooks' });
    await waitForFrame(frame, 'Recent events (Q: quarantined only)');
    await waitForFrame(frame, '2 rows');
    await press('Q');
    await waitForFrame(frame, 'Quarantined events (Q shows all)');
    const f = await waitForFrame(frame, '1 row\n');
    expect(f).toContain('error: missing "Business Email"');
  });

  it('shows the scorecard rows', async () => {
    const { frame } = mount({}, { initialScreen: 'scorecard' });
    const f = await waitForFrame(frame, 'Scorecard 2026-W47');
    // Values in one column: a long label does not run into its value.
    expect(f).toContain('Replay pass rate                98% (+2)');
    expect(f).toContain('negative constraint violations  0');
    const column = (label: string, value: string) =>
      f
        .split('\n')
        .find((l) => l.startsWith(label))
        ?.lastIndexOf(value);
    expect(column('Replay pass rate', '98%')).toBe(column('negative constraint violations', '0'));
    expect(f).toContain('Not signed off yet — s signs it off as hos (pto role)\nRelease decision: GO');
  });

  it('s signs the week off and shows who and when; a second s is refused naming F; F forces', async () => {
    const { frame, press, calls } = mount({}, { initialScreen: 'scorecard' });
    await waitForFrame(frame, 'Not signed off yet');
    await press('s');
    await waitForFrame(frame, 'Signed off by hos (pto) at 2026-11-21 12:00 UTC\nRelease decision then: GO\n');
    await press('s');
    await waitForFrame(frame, 'This week is already signed off: F signs it again (the first is kept)');
    await press('F');
    await waitForFrame(frame, 'Release decision then: GO, forced over an earlier sign-off');
    expect(calls.filter((c) => c.startsWith('signOff'))).toEqual(['signOff', 'signOff', 'signOff --force']);
  });

  it('--readonly refuses the sign-off and says why', async () => {
    const { frame, press, calls } = mount({}, { initialScreen: 'scorecard', readonly: true });
    await waitForFrame(frame, 'Not signed off yet');
    await press('s');
    await waitForFrame(frame, 'Read-only: s (sign off) is disabled');
    expect(calls.filter((c) => c.startsWith('signOff'))).toEqual([]);
  });
});
