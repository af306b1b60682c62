/**
 * `caio rubric calibrate`: the rubric against reviewers' decisions in a realistic queue. Reviewers
 * approved short drafts that name the length of the call; a rubric that fails short drafts and treats
 * "15 minutes" as a claim disagrees with them, and calibrate shows which rules and which drafts.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTempDir } from '../helpers/temp.js';

const GOLDEN = fileURLToPath(new URL('../../golden-set', import.meta.url));

const lead = (name: string, company: string, title: string, segment: string) => ({
  email: `${name.toLowerCase()}@${company.toLowerCase().replace(/\W/g, '')}.com`,
  first_name: name,
  company,
  title,
  segment,
});
const COACHING = {
  ref: 'product:coaching',
  text: 'Quorra scores every recorded sales call and flags the ones a manager should review first.',
};

/** Short, specific drafts that name a call length: reviewers approve them. */
const SHORT_APPROVED = [
  {
    id: 'short-ava',
    lead: lead('Ava', 'Loopstack', 'Co-Founder & CEO', 'smb'),
    context: [
      { ref: 'linkedin:post:1', text: 'Ava: hired our first two account executives at Loopstack.' },
      COACHING,
    ],
    subject: 'Your first two AEs',
    body: 'Hi Ava, congrats on hiring your first two AEs at Loopstack. Quorra flags which of their calls need you.\n\nWorth a 15-minute call this week?\n\nMaya',
  },
  {
    id: 'short-ben',
    lead: lead('Ben', 'Parcelpath', 'VP Sales', 'mid-market'),
    context: [{ ref: 'clay:1', text: 'Parcelpath has an SDR team of 40.' }, COACHING],
    subject: '40 SDRs',
    body: 'Ben, with 40 SDRs at Parcelpath your managers cannot hear every call. Quorra flags the ones to review first.\n\nOpen to a 20-minute chat on Tuesday?\n\nMaya',
  },
  {
    id: 'short-cleo',
    lead: lead('Cleo', 'Brandlift', 'Founder', 'agency'),
    context: [{ ref: 'linkedin:post:2', text: 'Cleo: Brandlift now runs outbound for 7 clients.' }, COACHING],
    subject: 'Seven clients',
    body: 'Hi Cleo, running outbound for 7 clients means 7 reports. Quorra flags the calls worth sharing with each.\n\nFancy a 15 min call next week?\n\nMaya',
  },
];

const LONGER_APPROVED = {
  id: 'long-dan',
  lead: lead('Dan', 'Meridian', 'Head of Sales Enablement', 'enterprise'),
  context: [
    { ref: 'linkedin:post:3', text: 'Dan is rebuilding onboarding for new account managers at Meridian.' },
    COACHING,
  ],
  subject: 'Onboarding at Meridian',
  body: 'Hi Dan,\n\nRebuilding onboarding for new account managers at Meridian usually runs into one wall: managers cannot hear enough real calls to give feedback while habits are still forming. Quorra scores every recorded sales call and flags the ones a manager should review first, so the feedback arrives in days rather than weeks.\n\nWould you be open to a call next week to compare notes?\n\nBest,\nMaya',
};

const REJECTED = [
  {
    id: 'rej-invented-stat',
    category: 'accuracy',
    draft: {
      lead: lead('Eve', 'Orbitly', 'VP of Sales', 'mid-market'),
      context: [{ ref: 'rb2b:1', text: 'Orbitly visited the coaching page.' }, COACHING],
      subject: 'Coaching at Orbitly',
      body: 'Hi Eve,\n\nTeams like Orbitly raise win rates by 37% in a quarter with Quorra, because managers finally stop sampling calls at random and review the ones that matter, while the habits of new reps are still forming.\n\nWould you be open to a call next week?\n\nBest,\nMaya',
    },
  },
  {
    id: 'rej-tone-rubric-passes',
    category: 'tone',
    draft: {
      lead: lead('Finn', 'Fernhill', 'VP Revenue', 'mid-market'),
      context: [{ ref: 'clay:2', text: 'Fernhill raised a Series A to grow the sales team.' }, COACHING],
      subject: 'Fernhill',
      body: "Hi Finn,\n\nCongrats on the Series A at Fernhill. Honestly, you'd be crazy not to look at Quorra before you hire: it flags the calls a manager should review first.\n\nWould you be open to a call next week?\n\nBest,\nMaya",
    },
  },
];

describe('caio rubric calibrate (spawned CLI, real queue)', () => {
  const tempDir = useTempDir();

  it('shows which rules disagree with reviewers, with the drafts behind each number', async () => {
    const cwd = tempDir();
    const env = { HIVE_DIR: join(cwd, 'hive'), CAIO_OPERATOR: 'hos-maria' };
    const caio = (...args: string[]) => runCli(args, { cwd, env, timeoutMs: 60_000 });

    const lines = [
      ...SHORT_APPROVED,
      LONGER_APPROVED,
      ...REJECTED.map(({ id, draft }) => ({ id, ...draft })),
    ].map((draft) => JSON.stringify(draft));
    writeFileSync(join(cwd, 'drafts.jsonl'), `${lines.join('\n')}\n`);
    expect((await caio('queue', 'import', join(cwd, 'drafts.jsonl'))).code).toBe(0);
    const approve = await caio('queue', 'approve', ...SHORT_APPROVED.map((d) => d.id), LONGER_APPROVED.id);
    expect(approve.code).toBe(0);
    for (const { id, category } of REJECTED) {
      expect((await caio('queue', 'reject', id, '--category', category)).code).toBe(0);
    }

    // A strict rubric, as it was before: short drafts fail and "15 minutes" counts as a claim.
    const strict = join(cwd, 'strict');
    cpSync(GOLDEN, strict, { recursive: true });
    writeFileSync(
      join(strict, 'rubric.json'),
      JSON.stringify({
        version: 1,
        length: { body_min_words: 35, body_hard_min_words: 0 },
        rules: { 'tone.body_length': 'fail' },
        groundedness: { cta_time_units: [] },
      }),
    );

    const json = await caio('rubric', 'calibrate', '--golden-set', strict, '--json');
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ decided: 6, approved: 4, rejected: 2 });
    const shortIds = SHORT_APPROVED.map((d) => d.id);
    expect(report.approved_would_fail.map((d: { id: string }) => d.id).sort()).toEqual(shortIds);
    const rule = (id: string) => report.rules.find((entry: { rule: string }) => entry.rule === id);
    expect(rule('tone.body_length')).toMatchObject({ effect: 'fail', on_approved: shortIds });
    expect(rule('groundedness.number').on_approved.sort()).toEqual(shortIds);
    expect(rule('groundedness.number').on_rejected_same_category).toEqual(['rej-invented-stat']);
    expect(report.rejected_would_pass.map((d: { id: string }) => d.id)).toEqual(['rej-tone-rubric-passes']);
    expect(report.rejected_category_missed.map((d: { id: string }) => d.id)).toEqual([
      'rej-tone-rubric-passes',
    ]);
    const tone = report.categories.find((entry: { category: string }) => entry.category === 'tone');
    expect(tone.missed).toEqual(['rej-tone-rubric-passes']);
    expect(tone.false_alarms.sort()).toEqual(shortIds);

    const text = await caio('rubric', 'calibrate', '--golden-set', strict);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Rubric calibration: 6 decided drafts \(4 approved, 2 rejected\)$/m);
    expect(text.stdout).toMatch(/^Approved drafts the rubric would fail: 3$/m);
    expect(text.stdout).toMatch(
      /^ {2}tone\.body_length \(fail\)\s+0%\s+fired 3: 0 rejected for tone, 0 rejected for another reason, 3 approved$/m,
    );
    expect(text.stdout).toMatch(
      /^ {6}disagrees: fails drafts reviewers approved: short-ava, short-ben, short-cleo$/m,
    );
    expect(text.stdout).toMatch(/^Next: review groundedness\.number, tone\.body_length in /m);

    // The project's rubric agrees with the reviewers on the short drafts.
    const tuned = JSON.parse((await caio('rubric', 'calibrate', '--json')).stdout);
    expect(tuned.approved_would_fail).toEqual([]);
    const failingOnApproved = tuned.rules.filter(
      (entry: { effect: string; on_approved: string[] }) =>
        entry.effect === 'fail' && entry.on_approved.length > 0,
    );
    expect(failingOnApproved).toEqual([]);
    expect(tuned.rejected_would_pass.map((d: { id: string }) => d.id)).toEqual(['rej-tone-rubric-passes']);

    // --since: decisions before the date are left out; a bad date is a usage error.
    const later = JSON.parse((await caio('rubric', 'calibrate', '--since', '2999-01-01', '--json')).stdout);
    expect(later).toMatchObject({ decided: 0, since: '2999-01-01T00:00:00.000Z' });
    const bad = await caio('rubric', 'calibrate', '--since', 'last week');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since must be a date such as 2026-11-01');
    expect((await caio('rubric', 'frobnicate')).code).toBe(2);
    const help = await caio('rubric', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: caio rubric calibrate');
  });
});
