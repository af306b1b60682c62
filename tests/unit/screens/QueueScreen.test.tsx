import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, waitFor, waitForFrame } from './helpers.js';
import { NOW } from './fake-services.js';
import { mount } from './mount.js';

afterEach(() => cleanup());

const body = (frame: string) => frame.split('\n').slice(1, 10).join('\n');

describe('Queue screen', () => {
  it('lists drafts under the operator header, with the draft under the cursor below', async () => {
    const { frame, press } = mount({ drafts: 5 }, { initialScreen: 'queue' });
    await waitForFrame(frame, 'STATUS');
    await press('j', 'j');
    const f = await waitForFrame(frame, 'Rubric minor tone');
    expect(f.split('\n').at(-1)).toBe(
      '/ filter  ↵ read  a approve  r reject  u undo  A bulk  : palette  ? help  q quit',
    );
    expect(f.split('\n').slice(0, 17)).toEqual([
      ' 1 Overview  2 Queue  3 Batches  4 Release  5 Traces  6 Webhooks  7 Scorecard',
      'operator hos · approvals 0/30 today · SLA breaches 0',
      '5 rows · sort oldest first',
      '  STATUS    LEAD           COMPANY SUBJECT                             RUB   AGE',
      '  pending   lead1@acme1.io Acme 1  Quick idea for Acme 1                ok   2m',
      '  pending   lead2@acme2.io Acme 2  Quick idea for Acme 2                ok   3m',
      '  pending   lead3@acme3.io Acme 3  Quick idea for Acme 3                 1   4m',
      '  pending   lead4@acme4.io Acme 4  Quick idea for Acme 4                ok   5m',
      '  pending   lead5@acme5.io Acme 5  Quick idea for Acme 5                ok   6m',
      '',
      '',
      '',
      '────────────────────────────────────────────────────────────────────────────────',
      'Quick idea for Acme 3',
      'To: Lead 3 <lead3@acme3.io> · VP Sales · Acme 3 · saas',
      'Status: pending   id d00003',
      'Rubric minor tone: Body is long (length.max)',
    ]);
  });

  it('a approves the draft under the cursor, u undoes it', async () => {
    const { frame, press, calls, drafts } = mount({ drafts: 3 }, { initialScreen: 'queue' });
    await waitForFrame(frame, 'STATUS');
    await press('a');
    await waitForFrame(frame, 'Approved lead1@acme1.io (u undoes)');
    await waitForFrame(frame, '  approved  lead1@acme1.io');
    expect(calls).toContain('approve d00001');
    expect(drafts[0]?.status).toBe('approved');
    await press('u');
    await waitForFrame(frame, 'Undone: lead1@acme1.io is pending again');
    expect(drafts[0]?.status).toBe('pending');
  });

  it('r then a category key, then an optional note; Esc cancels', async () => {
    const { frame, press, drafts, calls } = mount({ drafts: 3 }, { initialScreen: 'queue' });
    await waitForFrame(frame, 'STATUS');
    await press('r');
    await waitForFrame(frame, 'Reject as: 1 tone  2 personalization  3 accuracy  4 compliance  5 targeting');
    await press(KEYS.escape);
    await waitForFrame(frame, 'Reject cancelled.');
    await press('r', '2');
    await waitForFrame(frame, 'Note for personalization (Enter rejects, Esc cancels): █');
    // Letters typed into the note are text: `u` does not undo, `q` does not quit, `a` does not approve.
    for (const c of 'wrong quote, u a q') await press(c);
    await waitForFrame(frame, 'Esc cancels): wrong quote, u a q█');
    expect(drafts[0]?.status).toBe('pending');
    await press(KEYS.enter);
    await waitForFrame(frame, 'Rejected lead1@acme1.io as personalization ("wrong quote, u a q")');
    expect(drafts[0]).toMatchObject({ status: 'rejected', rejection: 'personalization' });
    expect(calls).toContain('reject d00001 personalization "wrong quote, u a q"');
  });

  it('a digit while picking a category never switches screens', async () => {
    const { ui, frame, drafts } = mount({ drafts: 3 }, { initialScreen: 'queue' });
    await waitForFrame(frame, 'STATUS');
    ui.stdin.write('r3\r');
    await waitFor(() => drafts[0]?.status === 'rejected', 'the reject');
    expect(drafts[0]?.rejection).toBe('accuracy');
    expect(frame()).toContain('STATUS');
  });

  it('space marks rows and A approves the marked ones, reporting refusals', async () => {
    const { frame, press, calls } = mount({ drafts: 4, capacity: 1 }, { initialScreen: 'queue' });
    await waitForFrame(frame, 'STATUS');
    await press(' ', ' ');
    await waitForFrame(frame, '● pending   lead2@acme2.io');
    await waitForFrame(frame, '· 2 marked');
    await press('A');
    await waitForFrame(frame, 'Approve 2 marked draft(s)? y/n');
    await press('n');
    await waitForFrame(frame, 'Bulk approve cancelled; 2 rows stay marked.');
    expect(calls.some((c) => c.startsWith('approveMany'))).toBe(false);
    await press('A', 'y');
    await waitForFrame(frame, 'Approved 1 of 2; refused 1 (Daily approval capacity reached (1))');
    expect(calls).toContain('approveMany d00001,d00002');
    // The refused one stays marked; the approved one is not.
    expect(frame()).toContain('● pending   lead2@acme2.io');
    expect(frame()).not.toContain('● approved');
  });

  it('A without marks says how to mark', async () => {
    const { frame, press } = mount({ drafts: 2 }, { initialScreen: 'queue' });
    await waitForFrame(frame, 'STATUS');
    await press('A');
    await waitForFrame(frame, 'Mark drafts with space (or * for all shown), then press A.');
  });

  it('/ filters by regular expression as you type, ! inverts, Esc clears, / starts afresh', async () => {
    const { frame, press } = mount({ drafts: 12 }, { initialScreen: 'queue' });
    await waitForFrame(frame, '12 rows');
    await press('/', 'a', 'c', 'm', 'e', '[3]');
    await waitForFrame(frame, '/acme[3]█  2 matching');
    expect(body(frame())).toContain('lead10@acme3.io');
    await press(KEYS.enter);
    await waitForFrame(frame, 'filter: acme[3]  2 matching');
    await press('/');
    await waitForFrame(frame, '/█');
    await press('!', 'a', 'c', 'm', 'e', '3', KEYS.enter);
    await waitForFrame(frame, 'filter: !acme3  10 not matching');
    expect(body(frame())).not.toContain('@acme3.io');
    await press(KEYS.escape);
    await waitForFrame(frame, '12 rows');
    await press('/', '(', KEYS.enter);
    await waitForFrame(frame, 'filter: (  0 matching (literal: not a valid regex)');
  });

  it('g and G jump to the ends of a long list, asking only for the pages on screen', async () => {
    const { frame, press, calls } = mount({ drafts: 2000 }, { initialScreen: 'queue' });
    await waitForFrame(frame, '2000 rows');
    const before = calls.length;
    await press('G');
    const f = await waitForFrame(frame, 'lead2000@');
    expect(f).not.toContain('lead1@');
    expect(f.split('\n').filter((l) => l.includes('@acme')).length).toBeLessThanOrEqual(9);
    // G asked for one page from the bottom (the reverse order), not for the 19 pages in between.
    expect(calls.slice(before).filter((c) => c.startsWith('page'))).toEqual(['page -age']);
    await press('g');
    await waitForFrame(frame, 'lead1@acme1.io');
  });

  it('AGE advances with the clock while the console stays open, without reading the queue again', async () => {
    let clock = NOW;
    const { frame, calls, drafts } = mount(
      { drafts: 2000, now: () => clock },
      { initialScreen: 'queue', intervals: { age: 20 } },
    );
    const ageOf = (f: string, email: string) =>
      f
        .split('\n')
        .find((l) => l.includes(email))
        ?.trim()
        .split(/\s+/)
        .at(-1);
    const first = await waitForFrame(frame, 'lead1@acme1.io');
    expect(ageOf(first, 'lead1@acme1.io')).toBe('2m');
    const breaches = (f: string) => Number(/SLA breaches (\d+)/.exec(f)?.[1]);
    const before = breaches(first);
    const reads = calls.filter((c) => c.startsWith('page')).length;
    clock = NOW + 59 * 60_000;
    const later = await waitForFrame(frame, (f) => ageOf(f, 'lead1@acme1.io') === '1h');
    expect(ageOf(later, 'lead3@acme3.io')).toBe('1h');
    // Past the 240-minute SLA: the marker appears too.
    clock = NOW + 4 * 60 * 60_000;
    await waitForFrame(frame, (f) => ageOf(f, 'lead1@acme1.io') === '4h⚠');
    // The header's count follows the same clock: now every pending draft is past the SLA.
    const pending = drafts.filter((d) => d.status === 'pending').length;
    expect(before).toBeLessThan(pending);
    await waitForFrame(frame, `SLA breaches ${pending}`);
    expect(calls.filter((c) => c.startsWith('page')).length).toBe(reads);
  });

  it('--readonly refuses a, r, u and A and says why; nothing changes', async () => {
    const { frame, press, calls, drafts } = mount({ drafts: 2 }, { initialScreen: 'queue', readonly: true });
    await waitForFrame(frame, 'STATUS');
    expect(frame()).toContain('[read-only] / filter  ↵ read  a approve (off)');
    await press('a');
    await waitForFrame(frame, 'Read-only: a (approve) is disabled; restart without --readonly to act');
    await press('r');
    await waitForFrame(frame, 'Read-only: r (reject) is disabled; restart without --readonly to act');
    expect(frame()).not.toContain('Reject as:');
    expect(calls.filter((c) => !c.startsWith('health') && !c.startsWith('page'))).toEqual([]);
    expect(drafts.every((d) => d.status === 'pending')).toBe(true);
  });

  it('teaches on an empty queue and loads the shipped samples with L', async () => {
    const { frame, press, calls } = mount({ drafts: 0, withSamples: true }, { initialScreen: 'queue' });
    const f = await waitForFrame(frame, 'The approval queue is empty.');
    expect(f).toContain('caio queue import FILE.jsonl');
    expect(f).toContain('http://127.0.0.1:8080/api/queue');
    expect(f).toContain('Press L to load the sample drafts shipped in samples/drafts.jsonl.');
    await press('L');
    await waitForFrame(frame, 'Loaded 3 sample drafts from samples/drafts.jsonl');
    await waitForFrame(frame, '3 rows');
    expect(calls).toContain('loadSamples');
  });

  it('Enter opens the whole draft: read a 60-line body to its last line, then approve there', async () => {
    const body = Array.from({ length: 60 }, (_, i) => `Paragraph line ${i + 1} of the draft.`).join('\n');
    const { frame, press, drafts } = mount(
      {
        drafts: 3,
        overrides: {
          2: {
            body: `${body}\nP.S. the call to action is here.`,
            context: [
              { ref: 'rb2b:visit', text: 'Visited /pricing twice' },
              { ref: 'clay:funding', text: 'Raised a Series B in October' },
            ],
            findings: [
              { rule: 'length.max', category: 'tone', severity: 'major', message: 'Body is 480 words' },
              { rule: 'cta.count', category: 'tone', severity: 'minor', message: 'Two calls to action' },
            ],
          },
        },
      },
      { initialScreen: 'queue' },
    );
    await waitForFrame(frame, 'STATUS');
    await press('j', KEYS.enter);
    const top = await waitForFrame(frame, 'Subject: Quick idea for Acme 2');
    expect(top).toContain('To: Lead 2 <lead2@acme2.io> · VP Sales · Acme 2 · saas');
    expect(top).toContain('MAJOR tone: Body is 480 words (length.max)');
    expect(top).toContain('MINOR tone: Two calls to action (cta.count)');
    expect(top).toMatch(/lines 1-\d+ of 7\d/);
    expect(top).not.toContain('P.S. the call to action is here.');
    await press('j', 'j');
    await waitForFrame(frame, (x) => x.includes('lines 3-'));
    await press(KEYS.pageDown);
    await press('G');
    const end = await waitForFrame(frame, '— end of draft —');
    expect(end).toContain('Paragraph line 60 of the draft.');
    expect(end).toContain('P.S. the call to action is here.');
    expect(end).toContain('[clay:funding] Raised a Series B in October');
    await press('g');
    await waitForFrame(frame, (x) => x.includes('lines 1-'));
    await press('a');
    await waitForFrame(frame, 'Approved lead2@acme2.io (u undoes)');
    expect(drafts[1]?.status).toBe('approved');
    // Still reading the same draft, now approved; u undoes from here too.
    await waitForFrame(frame, 'Status: approved by hos');
    await press('u');
    await waitForFrame(frame, 'Undone: lead2@acme2.io is pending again');
    await press(KEYS.escape);
    await waitForFrame(frame, 'STATUS    LEAD');
  });

  it('a draft with a critical finding asks before approval; n leaves it pending, y approves', async () => {
    const { frame, press, drafts, calls } = mount(
      {
        drafts: 2,
        overrides: {
          1: {
            findings: [
              {
                rule: 'groundedness.number',
                category: 'accuracy',
                severity: 'critical',
                message: 'Unsupported "40%"',
              },
            ],
          },
        },
      },
      { initialScreen: 'queue' },
    );
    await waitForFrame(frame, 'STATUS');
    await press('a');
    await waitForFrame(
      frame,
      'Approve lead1@acme1.io despite 1 critical finding(s)? y/n  (Unsupported "40%")',
    );
    await press('n');
    await waitForFrame(frame, 'Not approved: lead1@acme1.io is still pending.');
    expect(calls).not.toContain('approve d00001');
    await press('a', 'y');
    await waitForFrame(frame, 'Approved lead1@acme1.io (u undoes)');
    expect(drafts[0]?.status).toBe('approved');
  });

  it('a refused approval keeps the cursor on its row and its message until the next key', async () => {
    const { frame, press } = mount({ drafts: 3, capacity: 0 }, { initialScreen: 'queue' });
    await waitForFrame(frame, 'STATUS');
    await press('a');
    const f = await waitForFrame(frame, 'Daily approval capacity reached (0)');
    expect(f).toContain('Status: pending   id d00001');
    await press('j');
    await waitForFrame(
      frame,
      (x) => !x.includes('Daily approval capacity reached') && x.includes('id d00002'),
    );
  });

  it('duplicates name the draft they duplicate', async () => {
    const { frame, press } = mount(
      { drafts: 2, overrides: { 2: { status: 'duplicate', duplicateOf: 'd00001' } } },
      { initialScreen: 'queue' },
    );
    await waitForFrame(frame, 'STATUS');
    await press('j');
    await waitForFrame(frame, 'Status: duplicate — duplicates d00001');
  });

  it('keeps the filter, cursor and marks when switching screens', async () => {
    const { frame, press } = mount({ drafts: 12 }, { initialScreen: 'queue' });
    await waitForFrame(frame, '12 rows');
    await press('/', 'a', 'c', 'm', 'e', '3', KEYS.enter);
    await waitForFrame(frame, 'lead10@acme3.io');
    await press(' ', 'j');
    await waitForFrame(frame, '· 1 marked');
    await press('1');
    await waitForFrame(frame, 'Last replay');
    await press('2');
    const back = await waitForFrame(frame, 'filter: acme3  2 matching');
    expect(back).toContain('● pending   lead3@acme3.io');
    expect(back).toContain('Status: pending   id d00010');
  });

  it(':sort -age shows the newest first; :reject tone asks for the note', async () => {
    const { frame, press, calls } = mount({ drafts: 3 }, { initialScreen: 'queue' });
    await waitForFrame(frame, 'STATUS');
    await press(':', 's', 'o', 'r', 't', ' ', '-', 'a', 'g', 'e', KEYS.enter);
    await waitForFrame(frame, 'sort newest first');
    await waitForFrame(frame, (x) => x.indexOf('lead3@acme3.io') < x.indexOf('lead1@acme1.io'));
    expect(calls).toContain('page -age');
    await press(':', 'r', 'e', 'j', 'e', 'c', 't', ' ', 't', 'o', 'n', 'e', KEYS.enter);
    await waitForFrame(frame, 'Note for tone (Enter rejects, Esc cancels): █');
    await press(KEYS.enter);
    await waitForFrame(frame, 'Rejected lead3@acme3.io as tone (u undoes)');
  });
});
