import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, waitFor, waitForFrame } from './helpers.js';
import { mount } from './mount.js';

afterEach(() => cleanup());

describe('console shell', () => {
  it('opens on the Overview with health, readiness and the operator numbers', async () => {
    const { frame } = mount();
    const f = await waitForFrame(frame, 'Last replay');
    await waitForFrame(frame, (x) => x.includes('checked 12:00:00 UTC') && !/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/.test(x));
    expect(frame().split('\n').slice(0, 19)).toEqual([
      ' 1 Overview  2 Queue  3 Batches  4 Release  5 Traces  6 Webhooks  7 Scorecard',
      'Health checked 12:00:00 UTC',
      'Redis             healthy  redis  2 ms  optional',
      'Inngest           healthy  in-process  —  optional',
      'Readiness         ready',
      'API server        http://127.0.0.1:8080',
      '',
      'Operator',
      'Mode              development',
      'Queue             pending 5',
      'Aging p95         42 min   SLA breaches 0',
      'Approvals today   0 of 30',
      'Ramp              tier 1: 10/day (0 clean days)',
      'Send mode         log-only',
      'Last replay       98% block_build=false',
      'Incidents         none open',
      '',
      '',
      '',
    ]);
    expect(f).toContain(': palette  ? help  q quit');
  });

  it('lists open incidents on the Overview, newest first, with their delivery', async () => {
    const { frame } = mount({
      incidents: [
        {
          kind: 'aging_breach',
          title: '3 draft(s) pending past the 60-minute review SLA',
          openedAt: '2026-11-29T11:58:00Z',
          delivery: 'sent',
        },
        {
          kind: 'dependency_unhealthy',
          title: 'required dependency redis is unhealthy',
          openedAt: '2026-11-29T11:50:00Z',
          delivery: 'not_configured',
        },
        {
          kind: 'release_no_go',
          title: 'NO-GO for release r1',
          openedAt: '2026-11-29T11:00:00Z',
          delivery: 'failed',
        },
      ],
    });
    const f = await waitForFrame(frame, 'Incidents');
    expect(f).toContain('Incidents         3 open, newest first:');
    expect(f).toContain('  ! 11:58:00 UTC 3 draft(s) pending past the 60-minute review SLA (sent)');
    expect(f).toContain('  ! 11:50:00 UTC required dependency redis is unhealthy (not configured)');
    expect(f).toContain('  … 1 more');
    expect(f).not.toContain('NO-GO for release r1');
  });

  it('fits 80x24: no line wider than 80, one spare line so Ink never clears the screen', async () => {
    const { frame, press } = mount({ drafts: 50 });
    await press('2');
    const f = await waitForFrame(frame, 'STATUS');
    const lines = f.split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
  });

  it('switches screens with number keys, Tab and the : palette', async () => {
    const { frame, press } = mount();
    await waitForFrame(frame, 'Last replay');
    await press('3');
    await waitForFrame(frame, 'No batch yet: press p');
    await press(KEYS.tab);
    await waitForFrame(frame, 'Release Decision: NO-GO');
    await press(':', 'w', 'e', 'b');
    await waitForFrame(frame, ':web█');
    expect(frame()).toContain('  webhooks   show Webhooks');
    await press(KEYS.enter);
    await waitForFrame(frame, 'Recent events (Q: quarantined only)');
  });

  it('runs the pipeline from the palette (:pipeline) and reports the counts', async () => {
    const { frame, press, calls } = mount();
    await waitForFrame(frame, 'Last replay');
    await press(':', 'p', 'i', 'p');
    await waitForFrame(frame, ':pip█');
    expect(frame()).toContain('  pipeline   draft stored leads into the queue');
    await press(KEYS.enter);
    await waitForFrame(frame, 'Pipeline: 2 drafted of 3 lead(s); skipped unresolved_token 1');
    expect(calls.filter((c) => c.startsWith('pipeline'))).toEqual(['pipeline.run']);
  });

  it('refuses :pipeline in a read-only console', async () => {
    const { frame, press, calls } = mount({}, { readonly: true });
    await waitForFrame(frame, 'Last replay');
    await press(':', 'p', 'i', 'p', 'e', KEYS.enter);
    await waitForFrame(frame, 'Read-only console: run `caio pipeline run` instead');
    expect(calls.filter((c) => c.startsWith('pipeline'))).toEqual([]);
  });

  it('shows searchable help generated from the keymap, and Esc closes it', async () => {
    const { frame, press } = mount();
    await waitForFrame(frame, 'Last replay');
    await press('?');
    await waitForFrame(frame, 'Help — type to search, ↑/↓ PgUp/PgDn scroll, Esc closes');
    await press('u', 'n', 'd');
    const f = await waitForFrame(frame, 'Search: und█');
    expect(f).toContain('u            undo the last decision (a bulk approve included)  [queue]');
    expect(f).not.toContain('approve draft');
    await press(KEYS.escape);
    await waitForFrame(frame, 'Last replay');
  });

  it('help scrolls to the notes on columns (RUB) and markers', async () => {
    const { frame, press } = mount();
    await waitForFrame(frame, 'Last replay');
    await press('?');
    const top = await waitForFrame(frame, 'more lines: ↓ or PgDn');
    expect(top).not.toContain('RUB      rubric findings');
    for (let i = 0; i < 8; i += 1) await press(KEYS.pageDown);
    const bottom = await waitForFrame(frame, '(end of help: ↑ or PgUp)');
    expect(bottom).toContain('  RUB      rubric findings: ok = none; N = how many; ! = critical or major');
    expect(bottom).toContain('  Esc      closes the draft, palette or help; in a list, clears the filter');
  });

  it('q quits (and typing q into a filter does not)', async () => {
    const { ui, frame, press, quits } = mount({}, { initialScreen: 'queue' });
    await waitForFrame(frame, 'STATUS');
    ui.stdin.write('/q'); // one chunk, as a fast typist or a paste delivers it
    await waitForFrame(frame, '/q█');
    expect(quits()).toBe(0);
    await press(KEYS.escape, 'q');
    await waitFor(() => quits() === 1, 'quit');
  });
});

describe('terminal size and colour', () => {
  it('adapts to a resize of the terminal', async () => {
    const { ui, frame } = mount({}, { initialScreen: 'queue', size: 'terminal' });
    await waitForFrame(frame, 'STATUS');
    const stdout = ui.stdout as unknown as { columns: number; rows: number; emit(e: string): void };
    expect(
      Math.max(
        ...frame()
          .split('\n')
          .map((l) => [...l].length),
      ),
    ).toBeLessThanOrEqual(100);
    Object.defineProperty(stdout, 'columns', { value: 60, configurable: true });
    Object.defineProperty(stdout, 'rows', { value: 16, configurable: true });
    stdout.emit('resize');
    const f = await waitForFrame(
      frame,
      (x) => x.split('\n').every((l) => [...l].length <= 60) && x.includes('STATUS'),
    );
    expect(f.split('\n').length).toBeLessThanOrEqual(15);
    expect(f.split('\n')[0]).toBe(' 1 Ove  2 Que  3 Bat  4 Rel  5 Tra  6 Web  7 Sco');
  });
});
