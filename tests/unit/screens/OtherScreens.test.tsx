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
    expect(f).toContain('Replay pass rate            98% (+2)');
  });
});
