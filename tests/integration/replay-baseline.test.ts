import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CATEGORIES, type GoldenCase } from '../../src/runtime/domain/rubric/index.js';
import { isUserError } from '../../src/runtime/errors.js';
import { loadGoldenSet, runReplay } from '../../src/runtime/services/replay.js';
import { createReplayStore } from '../../src/runtime/stores/replay-store.js';
import { defaultGoldenSetDir } from '../../src/runtime/services/rubric-config.js';
import { createRecordStore, type RecordStore } from '../../src/runtime/stores/record/record.js';
import { databasePath, openDatabase } from '../../src/runtime/stores/sqlite/database.js';
import { useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();
const opened: RecordStore[] = [];
afterEach(async () => {
  for (const record of opened.splice(0)) await record.close();
});

async function open(dir: string): Promise<RecordStore> {
  const record = await createRecordStore({ HIVE_DIR: join(dir, 'hive') });
  opened.push(record);
  return record;
}

/** A copy of the project's golden set, both splits. */
function copyGoldenSet(): string {
  const dir = join(tempDir(), 'golden-set');
  const source = loadGoldenSet();
  mkdirSync(join(dir, 'cases'), { recursive: true });
  mkdirSync(join(dir, 'holdout'), { recursive: true });
  cpSync(join(defaultGoldenSetDir(), 'rubric.json'), join(dir, 'rubric.json'));
  for (const golden of source.cases)
    writeFileSync(join(dir, 'cases', `${golden.id}.json`), JSON.stringify(golden));
  for (const golden of source.holdout)
    writeFileSync(join(dir, 'holdout', `${golden.id}.json`), JSON.stringify(golden));
  return dir;
}

function editCase(path: string, edit: (golden: GoldenCase) => void): void {
  const golden = JSON.parse(readFileSync(path, 'utf8')) as GoldenCase;
  edit(golden);
  writeFileSync(path, JSON.stringify(golden));
}

describe('the project golden set: two splits', () => {
  const golden = loadGoldenSet();

  it('has at least 150 tuning cases and a separate held-out split', () => {
    expect(golden.cases.length).toBeGreaterThanOrEqual(150);
    expect(golden.holdout.length).toBeGreaterThanOrEqual(40);
    const tuningIds = new Set(golden.cases.map((c) => c.id));
    expect(golden.holdout.filter((c) => tuningIds.has(c.id))).toEqual([]);
    for (const split of [golden.cases, golden.holdout]) {
      for (const category of CATEGORIES) {
        expect(
          split.some((c) => c.expected.categories.includes(category)),
          category,
        ).toBe(true);
      }
      expect(split.some((c) => c.expected.verdict === 'pass')).toBe(true);
    }
  });

  it('reports the held-out figures apart, and agreement per category and per rule', async () => {
    const report = await runReplay({ minPassRate: 0.95 });
    expect(report.total).toBe(golden.cases.length);
    expect(report.holdout?.total).toBe(golden.holdout.length);
    expect(report.holdout?.critical_failures).toEqual([]);
    expect(report.agreement.categories.map((entry) => entry.category)).toEqual([...CATEGORIES]);
    const number = report.agreement.rules.find((rule) => rule.rule === 'groundedness.number');
    expect(number).toMatchObject({ category: 'accuracy', effect: 'fail' });
    expect(number?.fired).toBe((number?.agreed.length ?? 0) + (number?.disagreed.length ?? 0));
    const company = report.agreement.rules.find((rule) => rule.rule === 'personalization.missing_company');
    expect(company?.effect).toBe('advise');
    // Advice fires on drafts reviewers approve: that is why it does not fail them.
    expect(company?.disagreed.length).toBeGreaterThan(0);
  });
});

describe('versioned runs and the promoted baseline', () => {
  it('records hashes of the cases and rubric.json, and compares later runs with the baseline', async () => {
    const root = tempDir();
    const dir = copyGoldenSet();
    const record = await open(root);
    const runs = createReplayStore(record);
    const first = await runReplay({
      goldenSetDir: dir,
      minPassRate: 0.95,
      store: runs,
      promoteBy: 'pto',
      now: () => new Date('2026-11-20T09:00:00Z'),
    });
    expect(first.promoted).toEqual({ promoted_at: '2026-11-20T09:00:00.000Z', promoted_by: 'pto' });
    expect(first.hashes.cases).toMatch(/^[0-9a-f]{64}$/);
    expect((await runs.baseline(dir))?.run).toMatchObject({
      id: first.stored_run_id,
      cases_hash: first.hashes.cases,
    });

    // Same files: same hashes, nothing changed.
    const same = await runReplay({ goldenSetDir: dir, minPassRate: 0.95, store: runs });
    expect(same.hashes).toEqual(first.hashes);
    expect(same.baseline).toMatchObject({
      run_id: first.stored_run_id,
      promoted_by: 'pto',
      cases_changed: false,
      holdout_changed: false,
      rubric_changed: false,
      delta: 0,
      new_failures: [],
    });

    // A case expectation and the rubric change: both show, and the newly failing case is named.
    editCase(join(dir, 'cases', 'mm-pass-revops-forecast.json'), (golden) => {
      golden.expected = { verdict: 'fail', categories: ['tone'] };
    });
    const config = JSON.parse(readFileSync(join(dir, 'rubric.json'), 'utf8'));
    config.tone.max_exclamations = 2;
    writeFileSync(join(dir, 'rubric.json'), JSON.stringify(config));
    const later = await runReplay({ goldenSetDir: dir, minPassRate: 0.95, store: runs });
    expect(later.hashes.cases).not.toBe(first.hashes.cases);
    expect(later.hashes.rubric).not.toBe(first.hashes.rubric);
    expect(later.hashes.holdout).toBe(first.hashes.holdout);
    expect(later.baseline).toMatchObject({
      cases_changed: true,
      holdout_changed: false,
      rubric_changed: true,
      new_failures: ['mm-pass-revops-forecast'],
    });
    expect(later.baseline?.delta).toBeLessThan(0);
    expect(await runs.latest(dir)).toMatchObject({
      rubric_hash: later.hashes.rubric,
      holdout_total: first.holdout?.total,
    });
    // The promotion is audited in the record, with the run it made the baseline.
    expect(await record.audit.tail(1)).toEqual([
      expect.objectContaining({
        actor: 'pto',
        action: 'replay.baseline.promote',
        subject: `replay-run/${first.stored_run_id}`,
        details: expect.objectContaining({ golden_set: dir, cases_hash: first.hashes.cases }),
      }),
    ]);
  });

  it('refuses to promote a blocked run, and a critical miss in the held-out split blocks', async () => {
    const dir = copyGoldenSet();
    // A held-out case expects a fabricated number to be caught in a clean draft: a critical miss.
    const clean = loadGoldenSet().cases.find((golden) => golden.id === 'mm-pass-sdr-hiring') as GoldenCase;
    writeFileSync(
      join(dir, 'holdout', 'ho-critical.json'),
      JSON.stringify({
        ...clean,
        id: 'ho-critical',
        expected: { verdict: 'fail', categories: ['accuracy'] },
      }),
    );
    const report = await runReplay({ goldenSetDir: dir, minPassRate: 0.5 });
    expect(report.critical_failures).toEqual([]);
    expect(report.holdout?.critical_failures.map((failure) => failure.id)).toEqual(['ho-critical']);
    expect(report.block_build).toBe(true);
    expect(report.block_reasons.join('\n')).toMatch(/critical failure in the held-out set \(ho-critical\)/);

    const record = await open(tempDir());
    const runs = createReplayStore(record);
    const refused = await runReplay({
      goldenSetDir: dir,
      minPassRate: 0.5,
      store: runs,
      promoteBy: 'pto',
    }).catch((error: unknown) => error);
    expect(isUserError(refused) && refused.exitCode).toBe(1);
    expect(await runs.latest()).toBeUndefined();
    expect(await record.audit.count()).toBe(0);
  });

  it('a case in both splits is a configuration error', () => {
    const dir = copyGoldenSet();
    const [first] = loadGoldenSet().cases;
    writeFileSync(join(dir, 'holdout', `${first?.id}.json`), JSON.stringify(first));
    expect(() => loadGoldenSet(dir)).toThrow(/is in both cases\/ and holdout\//);
  });

  it('an embedded record written by an earlier version keeps its runs, baseline and sign-offs', async () => {
    const root = tempDir();
    const legacy = openDatabase(databasePath(join(root, 'hive')));
    legacy.exec(`CREATE TABLE replay_runs (id INTEGER PRIMARY KEY AUTOINCREMENT, ran_at TEXT NOT NULL, golden_set TEXT NOT NULL,
      total INTEGER NOT NULL, passed INTEGER NOT NULL, pass_rate REAL NOT NULL, threshold REAL NOT NULL,
      block_build INTEGER NOT NULL, critical_count INTEGER NOT NULL, failed_ids TEXT NOT NULL)`);
    legacy.exec(`INSERT INTO replay_runs (ran_at, golden_set, total, passed, pass_rate, threshold, block_build, critical_count, failed_ids)
      VALUES ('2026-11-01T00:00:00.000Z', '/old', 60, 59, 0.9833, 0.95, 0, 0, '["x"]'),
             ('2026-11-02T00:00:00.000Z', '/old', 60, 60, 1, 0.95, 0, 0, '[]')`);
    legacy.exec(`CREATE TABLE replay_baselines (golden_set TEXT PRIMARY KEY, run_id INTEGER NOT NULL,
      promoted_at TEXT NOT NULL, promoted_by TEXT NOT NULL)`);
    legacy.exec(`INSERT INTO replay_baselines VALUES ('/old', 1, '2026-11-01T01:00:00.000Z', 'pat')`);
    legacy.exec(`CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, time TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
      subject TEXT NOT NULL, details TEXT NOT NULL, prev_hash TEXT NOT NULL UNIQUE, hash TEXT NOT NULL UNIQUE)`);
    legacy.exec(`INSERT INTO audit_log VALUES (1, '2026-11-06T16:00:00.000Z', 'Hana', 'scorecard.sign_off', 'scorecard/2026-W45',
      '{"note":"fine"}', '${'0'.repeat(64)}', '${'1'.repeat(64)}')`);
    legacy.close();

    const record = await open(root);
    const runs = createReplayStore(record);
    expect(await runs.latest('/old')).toMatchObject({
      id: 2,
      total: 60,
      cases_hash: null,
      holdout_failed_ids: [],
    });
    expect((await runs.get(1))?.failed_ids).toEqual(['x']);
    expect(await runs.baseline('/old')).toMatchObject({ run: { id: 1 }, promoted_by: 'pat' });
    expect(await record.scorecard.forWeek('2026-W45')).toEqual([
      expect.objectContaining({
        signed_by: 'Hana',
        note: 'fine',
        forced: false,
        signed_at: '2026-11-06T16:00:00.000Z',
      }),
    ]);
    const report = await runReplay({ goldenSetDir: copyGoldenSet(), minPassRate: 0.95, store: runs });
    expect(report.stored_run_id).toBe(3);
  });
});
