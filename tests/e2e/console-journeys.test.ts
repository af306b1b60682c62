/**
 * The reviewer's journeys in a real terminal (tmux) at 80x24 and 120x35, against the built CLI and a
 * real embedded store: read a 60-line draft to its last line before approving it; a critical draft
 * asks first; reject keeps its note; bulk approve asks and is undone in one key; the console and the
 * CLI act as one person; a large import shows progress. Polls the pane, never sleeps a fixed time.
 * Needs `npm run build` first.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTempDir } from '../helpers/temp.js';
import { HAS_TMUX, openTerminal, type Terminal } from '../helpers/tmux.js';

const SAMPLES = fileURLToPath(new URL('../../samples/drafts.jsonl', import.meta.url));
const describeTmux = HAS_TMUX ? describe : describe.skip;
const tempDir = useTempDir();
const open: Terminal[] = [];
afterEach(() => {
  for (const t of open.splice(0)) t.kill();
});

const SIZES = [
  { cols: 80, rows: 24 },
  { cols: 120, rows: 35 },
] as const;

/** 60 body lines without digits (the rubric's number check stays out of it), then the P.S. */
function longBody(): string {
  const lines = Array.from({ length: 60 }, (_, i) => {
    const tag = String.fromCharCode(97 + Math.floor(i / 26)) + String.fromCharCode(97 + (i % 26));
    return `Body line ${tag} of the long draft, read before deciding.`;
  });
  return `${lines.join('\n')}\nP.S. the call to action sits on the last line.`;
}

/** The shipped samples plus a long draft with a critical finding (an unsupported number). */
async function seed(dir: string): Promise<void> {
  const long = {
    id: 'long-critical',
    lead: { email: 'reader@longform.example', first_name: 'Rita', company: 'Longform', tier: 1 },
    subject: 'Reading test: the long one',
    body: `Hi Rita,\nTeams like yours grew pipeline 47% last quarter.\n${longBody()}`,
    context: [{ ref: 'rb2b:visit', text: 'Visited the pricing page' }],
  };
  const file = join(dir, 'extra.jsonl');
  writeFileSync(file, `${JSON.stringify(long)}\n`);
  for (const f of [SAMPLES, file]) {
    const r = await runCli(['queue', 'import', f], { cwd: dir, env: { HIVE_DIR: join(dir, 'hive') } });
    expect(r.code, r.stdout + r.stderr).toBe(0);
  }
}

async function stored(
  dir: string,
): Promise<
  Map<
    string,
    { status: string; decided_by: string | null; rejection: { category: string; note: string | null } | null }
  >
> {
  const r = await runCli(['queue', 'list', '--json'], { cwd: dir, env: { HIVE_DIR: join(dir, 'hive') } });
  expect(r.code).toBe(0);
  const drafts = JSON.parse(r.stdout) as {
    id: string;
    status: string;
    decided_by: string | null;
    rejection: { category: string; note: string | null } | null;
  }[];
  return new Map(drafts.map((d) => [d.id, d]));
}

function console_(dir: string, size: { cols: number; rows: number }, operator = 'Maria'): Terminal {
  const t = openTerminal(dir, ['--port', '0', '--screen', 'queue'], {
    ...size,
    env: { HIVE_DIR: join(dir, 'hive'), CAIO_OPERATOR: operator },
  });
  open.push(t);
  return t;
}

/** Filter the queue to rows matching `pattern` and wait for them. */
async function filterTo(t: Terminal, pattern: string, expectRows: string) {
  t.send('/');
  await t.waitFor('/█');
  t.type(pattern);
  t.send('Enter');
  await t.waitFor(`filter: ${pattern}`);
  await t.waitFor(expectRows);
}

describeTmux.each(SIZES)('the console at %o', (size) => {
  it(
    'reads a 60-line draft to its last line, and a critical finding asks before approval',
    { timeout: 60_000 },
    async () => {
      const dir = tempDir();
      await seed(dir);
      const t = console_(dir, size);
      await t.waitFor('STATUS    LEAD');
      await filterTo(t, 'Reading test', 'reader@longform.example');
      t.send('Enter');
      const top = await t.waitFor('Subject: Reading test: the long one');
      expect(top).toContain('CRITICAL accuracy');
      expect(top).not.toContain('P.S. the call to action sits on the last line.');
      t.send('j', 'j', 'PageDown');
      await t.waitFor((p) => /lines (?!1-)\d+-\d+ of \d+/.test(p), 'the view to scroll');
      t.send('G');
      const end = await t.waitFor('— end of draft —');
      expect(end).toContain('P.S. the call to action sits on the last line.');
      expect(end).toContain('[rb2b:visit] Visited the pricing page');
      t.send('a');
      await t.waitFor('Approve reader@longform.example despite');
      t.send('n');
      await t.waitFor('Not approved: reader@longform.example is still pending.');
      expect((await stored(dir)).get('long-critical')?.status).toBe('pending');
      t.send('a');
      await t.waitFor('critical finding(s)? y/n');
      t.send('y');
      await t.waitFor('Approved reader@longform.example (u undoes)');
      expect((await stored(dir)).get('long-critical')).toMatchObject({
        status: 'approved',
        decided_by: 'Maria',
      });
      t.send('Escape');
      await t.waitFor('STATUS    LEAD');
      t.send('q');
      expect(await t.waitFor('EXIT=')).toContain('EXIT=0');
    },
  );

  it('bulk approve shows the count, asks y/n, and u undoes all of it', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    await seed(dir);
    const t = console_(dir, size);
    await t.waitFor('STATUS    LEAD');
    await filterTo(t, '\\.io$', '.io ');
    t.send('*');
    const marked = await t.waitFor((p) => /Marked (\d+) rows/.test(p), 'the marks');
    const count = Number(/Marked (\d+) rows/.exec(marked)?.[1]);
    expect(count).toBeGreaterThan(2);
    await t.waitFor(`· ${count} marked`);
    t.send('A');
    await t.waitFor(`Approve ${count} marked draft(s)? y/n`);
    t.send('y');
    await t.waitFor(`Approved ${count} marked drafts (u undoes all ${count})`);
    const approved = [...(await stored(dir)).values()].filter((d) => d.status === 'approved');
    expect(approved).toHaveLength(count);
    t.send('u');
    await t.waitFor(`Undone: ${count} drafts are pending again`);
    const after = [...(await stored(dir)).values()].filter((d) => d.status === 'approved');
    expect(after).toHaveLength(0);
  });
});

describeTmux('the console and the CLI (tmux, 80x24)', () => {
  it('reject takes a category key, then a typed note kept with the rejection', async () => {
    const dir = tempDir();
    await seed(dir);
    const t = console_(dir, SIZES[0]);
    await t.waitFor('STATUS    LEAD');
    await filterTo(t, 'leo@signalforge', 'leo@signalforge.agency');
    t.send('r');
    await t.waitFor('Reject as: 1 tone');
    t.send('1');
    await t.waitFor('Note for tone (Enter rejects, Esc cancels): █');
    // Letters in the note are text: u does not undo, q does not quit.
    t.type('too salesy, u q');
    await t.waitFor('Esc cancels): too salesy, u q█');
    t.send('Enter');
    await t.waitFor('Rejected leo@signalforge.agency as tone ("too salesy, u q")');
    expect((await stored(dir)).get('s-agency-pass-founder')).toMatchObject({
      status: 'rejected',
      decided_by: 'Maria',
      rejection: { category: 'tone', note: 'too salesy, u q' },
    });
  });

  it('acts as one person: approved in the console, undone with caio queue undo --by (any case)', async () => {
    const dir = tempDir();
    await seed(dir);
    const t = console_(dir, SIZES[0], 'Maria');
    const first = await t.waitFor('operator Maria · approvals 0/');
    expect(first).toContain('operator Maria');
    await filterTo(t, 'leo@signalforge', 'leo@signalforge.agency');
    t.send('a');
    await t.waitFor('Approved leo@signalforge.agency (u undoes)');
    await t.waitFor('approvals 1/');
    expect((await stored(dir)).get('s-agency-pass-founder')?.decided_by).toBe('Maria');
    const undo = await runCli(['queue', 'undo', 's-agency-pass-founder', '--by', 'maria'], {
      cwd: dir,
      env: { HIVE_DIR: join(dir, 'hive') },
    });
    expect(undo.code, undo.stderr).toBe(0);
    // The console sees the CLI's change (its change token moved) and the capacity is given back.
    await t.waitFor(
      (p) => /pending\s+leo@signalforge\.agency/.test(p) && p.includes('approvals 0/'),
      'the undo',
    );
    const other = await runCli(['queue', 'approve', 's-agency-pass-founder'], {
      cwd: dir,
      env: { HIVE_DIR: join(dir, 'hive'), CAIO_OPERATOR: 'MARIA' },
    });
    expect(other.code, other.stderr).toBe(0);
    await t.waitFor('approvals 1/');
    // And the other way round: the console undoes what the CLI decided as MARIA (the same person).
    t.send('u');
    await t.waitFor('Undone: leo@signalforge.agency is pending again');
    expect((await stored(dir)).get('s-agency-pass-founder')?.status).toBe('pending');
  }, 60_000);

  it('a large import shows a progress bar on a terminal and one summary line when piped', async () => {
    const dir = tempDir();
    const lines = Array.from({ length: 3000 }, (_, i) =>
      JSON.stringify({
        id: `bulk-${i}`,
        lead: { email: `lead${i}@bulk.example`, tier: i % 3 },
        subject: `Hello ${i}`,
        body: 'Hi there, a short note about your team.',
      }),
    );
    writeFileSync(join(dir, 'big.jsonl'), `${lines.join('\n')}\n`);
    const t = openTerminal(dir, ['queue', 'import', 'big.jsonl'], {
      cols: 100,
      rows: 10,
      env: { HIVE_DIR: join(dir, 'hive') },
    });
    open.push(t);
    const done = await t.waitFor('EXIT=', 'the import', 60_000);
    expect(done).toMatch(/\[#+\] 100% {2}3000 lines {2}\d+ lines\/s {2}0 bad/);
    expect(done).toMatch(
      /Imported 3000 draft\(s\) \(pending 3000\); 0 already present; 0 bad line\(s\) in [\d.]+ s/,
    );
    const piped = await runCli(['queue', 'import', 'big.jsonl'], {
      cwd: dir,
      env: { HIVE_DIR: join(dir, 'hive') },
    });
    expect(piped.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^Imported 0 draft\(s\); 3000 already present; 0 bad line\(s\) in [\d.]+ s$/),
    ]);
    expect(piped.stderr).toBe('');
  });
});
