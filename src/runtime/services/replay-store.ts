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
}

export interface ReplayRun extends ReplayRunInput {
  id: number;
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
});

function fromRow(row: unknown): ReplayRun {
  const parsed = rowSchema.parse(row);
  const ids = z.array(z.string()).safeParse(JSON.parse(parsed.failed_ids));
  return { ...parsed, block_build: parsed.block_build === 1, failed_ids: ids.success ? ids.data : [] };
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
}

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
  `);
  const insert = db.prepare(`
    INSERT INTO replay_runs (ran_at, golden_set, total, passed, pass_rate, threshold, block_build, critical_count, failed_ids)
    VALUES (@ran_at, @golden_set, @total, @passed, @pass_rate, @threshold, @block_build, @critical_count, @failed_ids)
  `);
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
  };
}
