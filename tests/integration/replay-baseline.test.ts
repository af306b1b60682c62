import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CATEGORIES, type GoldenCase } from '../../src/runtime/domain/rubric/index.js';
import { isUserError } from '../../src/runtime/errors.js';
import { loadGoldenSet, runReplay } from '../../src/runtime/services/replay.js';
import { createReplayStore } from '../../src/runtime/services/replay-store.js';
import { defaultGoldenSetDir } from '../../src/runtime/services/rubric-config.js';
import { databasePath, openDatabase, type SqliteDatabase } from '../../src/runtime/stores/sqlite/database.js';
import { useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();
const opened: SqliteDatabase[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

function open(dir: string): SqliteDatabase {
  const db = openDatabase(databasePath(join(dir, 'hive')));
  opened.push(db);
  return db;
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

  it('reports the held-out figures apart, and agreement per category and per rule', () => {
    const report = runReplay({ minPassRate: 0.95 });
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
  it('records hashes of the cases and rubric.json, and compares later runs with the baseline', () => {
    const root = tempDir();
    const dir = copyGoldenSet();
    const runs = createReplayStore(open(root));
    const first = runReplay({
      goldenSetDir: dir,
      minPassRate: 0.95,
      store: runs,
      promoteBy: 'pto',
      now: () => new Date('2026-11-20T09:00:00Z'),
    });
    expect(first.promoted).toEqual({ promoted_at: '2026-11-20T09:00:00.000Z', promoted_by: 'pto' });
    expect(first.hashes.cases).toMatch(/^[0-9a-f]{64}$/);
    expect(runs.baseline(dir)?.run).toMatchObject({
      id: first.stored_run_id,
      cases_hash: first.hashes.cases,
    });

    // Same files: same hashes, nothing changed.
    const same = runReplay({ goldenSetDir: dir, minPassRate: 0.95, store: runs });
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
    const later = runReplay({ goldenSetDir: dir, minPassRate: 0.95, store: runs });
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
    expect(runs.latest(dir)).toMatchObject({
      rubric_hash: later.hashes.rubric,
      holdout_total: first.holdout?.total,
    });
  });

  it('refuses to promote a blocked run, and a critical miss in the held-out split blocks', () => {
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
    const report = runReplay({ goldenSetDir: dir, minPassRate: 0.5 });
    expect(report.critical_failures).toEqual([]);
    expect(report.holdout?.critical_failures.map((failure) => failure.id)).toEqual(['ho-critical']);
    expect(report.block_build).toBe(true);
    expect(report.block_reasons.join('\n')).toMatch(/critical failure in the held-out set \(ho-critical\)/);

    const runs = createReplayStore(open(tempDir()));
    let refused: unknown;
    try {
      runReplay({ goldenSetDir: dir, minPassRate: 0.5, store: runs, promoteBy: 'pto' });
    } catch (error) {
      refused = error;
    }
    expect(isUserError(refused) && refused.exitCode).toBe(1);
    expect(runs.latest()).toBeUndefined();
  });

  it('a case in both splits is a configuration error', () => {
    const dir = copyGoldenSet();
    const [first] = loadGoldenSet().cases;
    writeFileSync(join(dir, 'holdout', `${first?.id}.json`), JSON.stringify(first));
    expect(() => loadGoldenSet(dir)).toThrow(/is in both cases\/ and holdout\//);
  });

  it('adds the new columns to a database written by an older version', () => {
    const root = tempDir();
    const db = open(root);
    db.exec(`CREATE TABLE replay_runs (id INTEGER PRIMARY KEY AUTOINCREMENT, ran_at TEXT NOT NULL, golden_set TEXT NOT NULL,
      total INTEGER NOT NULL, passed INTEGER NOT NULL, pass_rate REAL NOT NULL, threshold REAL NOT NULL,
      block_build INTEGER NOT NULL, critical_count INTEGER NOT NULL, failed_ids TEXT NOT NULL)`);
    db.exec(`INSERT INTO replay_runs (ran_at, golden_set, total, passed, pass_rate, threshold, block_build, critical_count, failed_ids)
      VALUES ('2026-11-01T00:00:00.000Z', '/old', 60, 60, 1, 0.95, 0, 0, '[]')`);
    const runs = createReplayStore(db);
    expect(runs.latest('/old')).toMatchObject({ total: 60, cases_hash: null, holdout_failed_ids: [] });
    runs.promote(1, 'pto', '2026-11-02T00:00:00.000Z');
    const report = runReplay({ goldenSetDir: copyGoldenSet(), minPassRate: 0.95, store: runs });
    expect(report.stored_run_id).toBe(2);
    expect(runs.baseline('/old')?.run.id).toBe(1);
  });
});
