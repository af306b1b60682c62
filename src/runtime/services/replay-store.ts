/**
 * Stored replay runs (table `replay_runs` in HIVE_DIR/caio.db): the gate's history, for the
 * comparison with the previous run, the scorecard's trend and the release ritual's evidence.
 */
import { z } from 'zod';
import type { SqliteDatabase } from '../stores/sqlite/database.js';

export interface ReplayRunInput {
  ran_at: string;
  golden_set: string;
  total: number;
  passed: number;
  pass_rate: number;
  threshold: number;
  block_build: boolean;
  critical_count: number;
  failed_ids: string[];
  /** SHA-256 of the tuning cases, of the held-out cases and of the effective rubric.json. */
  cases_hash?: string | null | undefined;
  holdout_hash?: string | null | undefined;
  rubric_hash?: string | null | undefined;
  holdout_total?: number | null | undefined;
  holdout_passed?: number | null | undefined;
  holdout_failed_ids?: string[] | undefined;
}

export interface ReplayRun extends ReplayRunInput {
  id: number;
}

export interface ReplayBaseline {
  run: ReplayRun;
  promoted_at: string;
  promoted_by: string;
}

const rowSchema = z.object({
  id: z.number().int(),
  ran_at: z.string(),
  golden_set: z.string(),
  total: z.number().int(),
  passed: z.number().int(),
  pass_rate: z.number(),
  threshold: z.number(),
  block_build: z.number().int(),
  critical_count: z.number().int(),
  failed_ids: z.string(),
  cases_hash: z.string().nullable().optional(),
  holdout_hash: z.string().nullable().optional(),
  rubric_hash: z.string().nullable().optional(),
  holdout_total: z.number().int().nullable().optional(),
  holdout_passed: z.number().int().nullable().optional(),
  holdout_failed_ids: z.string().nullable().optional(),
});

const idList = (text: string | null | undefined): string[] => {
  if (!text) return [];
  const ids = z.array(z.string()).safeParse(JSON.parse(text));
  return ids.success ? ids.data : [];
};

function fromRow(row: unknown): ReplayRun {
  const parsed = rowSchema.parse(row);
  return {
    ...parsed,
    block_build: parsed.block_build === 1,
    failed_ids: idList(parsed.failed_ids),
    holdout_failed_ids: idList(parsed.holdout_failed_ids),
  };
}

export interface ReplayStore {
  record(run: ReplayRunInput): ReplayRun;
  /** The newest run, optionally for one golden-set folder. */
  latest(goldenSet?: string): ReplayRun | undefined;
  /** Newest first; `since`/`until` are ISO timestamps (inclusive, exclusive); optionally one golden set. */
  list(options?: {
    limit?: number;
    since?: string;
    until?: string;
    goldenSet?: string | undefined;
  }): ReplayRun[];
  get(id: number): ReplayRun | undefined;
  /** Make a stored run the baseline that later runs of its golden set are compared with. */
  promote(runId: number, by: string, at: string): ReplayBaseline;
  baseline(goldenSet: string): ReplayBaseline | undefined;
}

/** Columns added after the first release: added in place to an older database. */
const ADDED_COLUMNS: readonly [string, string][] = [
  ['cases_hash', 'TEXT'],
  ['holdout_hash', 'TEXT'],
  ['rubric_hash', 'TEXT'],
  ['holdout_total', 'INTEGER'],
  ['holdout_passed', 'INTEGER'],
  ['holdout_failed_ids', 'TEXT'],
];

export function createReplayStore(db: SqliteDatabase): ReplayStore {
  db.exec(`
    CREATE TABLE IF NOT EXISTS replay_runs (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      ran_at TEXT NOT NULL,
      golden_set TEXT NOT NULL,
      total INTEGER NOT NULL,
      passed INTEGER NOT NULL,
      pass_rate REAL NOT NULL,
      threshold REAL NOT NULL,
      block_build INTEGER NOT NULL,
      critical_count INTEGER NOT NULL,
      failed_ids TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS replay_runs_ran_at ON replay_runs (ran_at);
    CREATE TABLE IF NOT EXISTS replay_baselines (
      golden_set TEXT PRIMARY KEY,
      run_id INTEGER NOT NULL,
      promoted_at TEXT NOT NULL,
      promoted_by TEXT NOT NULL
    );
  `);
  const present = new Set(
    z
      .array(z.object({ name: z.string() }))
      .parse(db.prepare('PRAGMA table_info(replay_runs)').all())
      .map((column) => column.name),
  );
  for (const [name, type] of ADDED_COLUMNS) {
    if (!present.has(name)) db.exec(`ALTER TABLE replay_runs ADD COLUMN ${name} ${type}`);
  }
  const insert = db.prepare(`
    INSERT INTO replay_runs (ran_at, golden_set, total, passed, pass_rate, threshold, block_build, critical_count, failed_ids,
      cases_hash, holdout_hash, rubric_hash, holdout_total, holdout_passed, holdout_failed_ids)
    VALUES (@ran_at, @golden_set, @total, @passed, @pass_rate, @threshold, @block_build, @critical_count, @failed_ids,
      @cases_hash, @holdout_hash, @rubric_hash, @holdout_total, @holdout_passed, @holdout_failed_ids)
  `);
  const byId = db.prepare('SELECT * FROM replay_runs WHERE id = ?');
  const upsertBaseline = db.prepare(`
    INSERT INTO replay_baselines (golden_set, run_id, promoted_at, promoted_by) VALUES (@golden_set, @run_id, @promoted_at, @promoted_by)
    ON CONFLICT (golden_set) DO UPDATE SET run_id = excluded.run_id, promoted_at = excluded.promoted_at, promoted_by = excluded.promoted_by
  `);
  const baselineFor = db.prepare('SELECT * FROM replay_baselines WHERE golden_set = ?');
  const baselineRow = z.object({
    run_id: z.number().int(),
    promoted_at: z.string(),
    promoted_by: z.string(),
  });
  const get = (id: number): ReplayRun | undefined => {
    const row = byId.get(id);
    return row === undefined ? undefined : fromRow(row);
  };
  const latestAny = db.prepare('SELECT * FROM replay_runs ORDER BY id DESC LIMIT 1');
  const latestFor = db.prepare('SELECT * FROM replay_runs WHERE golden_set = ? ORDER BY id DESC LIMIT 1');
  const listRange = db.prepare(
    `SELECT * FROM replay_runs WHERE ran_at >= @since AND ran_at < @until
       AND (@golden_set IS NULL OR golden_set = @golden_set) ORDER BY id DESC LIMIT @limit`,
  );

  return {
    record(run) {
      const info = insert.run({
        ...run,
        block_build: run.block_build ? 1 : 0,
        failed_ids: JSON.stringify(run.failed_ids),
        cases_hash: run.cases_hash ?? null,
        holdout_hash: run.holdout_hash ?? null,
        rubric_hash: run.rubric_hash ?? null,
        holdout_total: run.holdout_total ?? null,
        holdout_passed: run.holdout_passed ?? null,
        holdout_failed_ids: run.holdout_failed_ids ? JSON.stringify(run.holdout_failed_ids) : null,
      });
      return { ...run, id: Number(info.lastInsertRowid) };
    },
    latest(goldenSet) {
      const row = goldenSet === undefined ? latestAny.get() : latestFor.get(goldenSet);
      return row === undefined ? undefined : fromRow(row);
    },
    list(options = {}) {
      return listRange
        .all({
          since: options.since ?? '',
          until: options.until ?? '\uffff',
          limit: options.limit ?? 100,
          golden_set: options.goldenSet ?? null,
        })
        .map(fromRow);
    },
    get,
    promote(runId, by, at) {
      const run = get(runId);
      if (!run) throw new Error(`No stored replay run #${runId}`);
      upsertBaseline.run({ golden_set: run.golden_set, run_id: runId, promoted_at: at, promoted_by: by });
      return { run, promoted_at: at, promoted_by: by };
    },
    baseline(goldenSet) {
      const row = baselineFor.get(goldenSet);
      if (row === undefined) return undefined;
      const parsed = baselineRow.parse(row);
      const run = get(parsed.run_id);
      return run ? { run, promoted_at: parsed.promoted_at, promoted_by: parsed.promoted_by } : undefined;
    },
  };
}
