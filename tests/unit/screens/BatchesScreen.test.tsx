import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, waitForFrame } from './helpers.js';
import { mount } from './mount.js';

afterEach(() => cleanup());

describe('Batches screen', () => {
  it('previews a batch: items, exclusions, short hash, expiry countdown', async () => {
    const { frame, press, drafts } = mount({ drafts: 3 }, { initialScreen: 'batches' });
    drafts[0]!.status = 'approved';
    await waitForFrame(frame, 'No batch yet: press p to preview the approved drafts.');
    await press('p');
    await waitForFrame(frame, 'Previewed b1: 1 items, 1 excluded, hash abcdef01');
    const f = await waitForFrame(frame, '  b1    abcdef01 previewed');
    expect(f).toContain('  b1    abcdef01 previewed     1    1 log-only 15:00    hos');
    expect(f).toContain('1 items, 1 excluded, mode log-only, expires in 15:00, by hos');
    expect(f).toContain('  + lead1@acme1.io  Quick idea for Acme 1');
    expect(f).toContain('  - d99999  suppressed (bounced)');
  });

  it('executes only after the first characters of the hash are typed', async () => {
    const { frame, press, calls, drafts } = mount({ drafts: 2 }, { initialScreen: 'batches' });
    drafts[0]!.status = 'approved';
    await waitForFrame(frame, 'No batch yet');
    await press('p');
    await waitForFrame(frame, 'abcdef01 previewed');
    await press(KEYS.enter);
    await waitForFrame(frame, "Execute 1 (log-only)? Type the hash's first 6 chars, Enter: █");
    await press('a', 'b', 'c', 'x', 'x', 'x', KEYS.enter);
    await waitForFrame(frame, 'Hash does not match: nothing executed (type the first 6 characters).');
    expect(calls.some((c) => c.startsWith('execute'))).toBe(false);
    await press('x');
    await waitForFrame(frame, 'Enter: █');
    await press('abcdef', KEYS.enter);
    await waitForFrame(frame, 'Executed b1 (log-only): 1 sent, 0 failed');
    expect(calls).toContain('execute b1 abcdef01');
  });

  it('Esc cancels the confirmation; q typed into it does not quit', async () => {
    const { frame, press, quits, drafts } = mount({ drafts: 1 }, { initialScreen: 'batches' });
    drafts[0]!.status = 'approved';
    await waitForFrame(frame, 'No batch yet');
    await press('p');
    await waitForFrame(frame, 'abcdef01 previewed');
    await press('x', 'q');
    await waitForFrame(frame, 'Enter: q█');
    await press(KEYS.escape);
    await waitForFrame(frame, 'Execution cancelled.');
    expect(quits()).toBe(0);
  });

  it(':preview from another screen switches to Batches and previews', async () => {
    const { frame, press, calls } = mount({ drafts: 2 });
    await waitForFrame(frame, 'Last replay');
    for (const c of ':preview') await press(c);
    await press(KEYS.enter);
    await waitForFrame(frame, 'abcdef01 previewed');
    expect(calls).toContain('preview');
  });
});
