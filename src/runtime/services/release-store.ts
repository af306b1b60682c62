/**
 * Storage of the release ritual in the embedded database: check results per (release, env, step)
 * (an upsert: re-running replaces the evidence), manual confirmations per (release, step), and one
 * row per check run. Every row read back is validated with zod.
 */
import { z } from 'zod';
import { TARGET_ENVS, type Confirmation, type StepResult, type TargetEnv } from '../domain/ritual/index.js';
import type { SqliteDatabase } from '../stores/sqlite/database.js';

export interface ReleaseRunRecord {
  id: number;
  release_id: string;
  env: TargetEnv;
  target: string;
  actor: string;
  started_at: string;
  finished_at: string;
  decision: 'GO' | 'NO-GO';
  redis_required: boolean;
  inngest_required: boolean;
  reasons: string[];
}

export interface ReleaseStore {
  putResult(releaseId: string, env: TargetEnv, result: StepResult): void;
  putConfirmation(releaseId: string, confirmation: Confirmation): void;
  /** Returns the run id. */
  putRun(run: Omit<ReleaseRunRecord, 'id'>): number;
  results(releaseId: string, env: TargetEnv): Map<string, StepResult>;
  confirmations(releaseId: string): Map<string, Confirmation>;
  latestRun(releaseId?: string, env?: TargetEnv): ReleaseRunRecord | undefined;
}

const resultRow = z.object({
  step_id: z.string(),
  outcome: z.enum(['pass', 'fail', 'inconclusive']),
  summary: z.string(),
  evidence: z.string(),
  facts: z.string().nullable(),
});
const evidenceSchema = z.object({ by: z.string(), at: z.string() }).passthrough();
const confirmationRow = z.object({
  step_id: z.string(),
  by: z.string(),
  at: z.string(),
  note: z.string().nullable(),
});
const runRow = z.object({
  id: z.number(),
  release_id: z.string(),
  env: z.enum(TARGET_ENVS),
  target: z.string(),
  actor: z.string(),
  started_at: z.string(),
  finished_at: z.string(),
  decision: z.enum(['GO', 'NO-GO']),
  redis_required: z.number(),
  inngest_required: z.number(),
  reasons: z.string(),
});

function ensureSchema(db: SqliteDatabase): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS release_results (
      release_id TEXT NOT NULL, env TEXT NOT NULL, step_id TEXT NOT NULL,
      outcome TEXT NOT NULL, summary TEXT NOT NULL, evidence TEXT NOT NULL, facts TEXT,
      PRIMARY KEY (release_id, env, step_id)
    );
    CREATE TABLE IF NOT EXISTS release_confirmations (
      release_id TEXT NOT NULL, step_id TEXT NOT NULL, by TEXT NOT NULL, at TEXT NOT NULL, note TEXT,
      PRIMARY KEY (release_id, step_id)
    );
    CREATE TABLE IF NOT EXISTS release_runs (
      id INTEGER PRIMARY KEY AUTOINCREMENT, release_id TEXT NOT NULL, env TEXT NOT NULL, target TEXT NOT NULL,
      actor TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT NOT NULL, decision TEXT NOT NULL,
      redis_required INTEGER NOT NULL, inngest_required INTEGER NOT NULL, reasons TEXT NOT NULL
    );`);
}
export function createReleaseStore(db: SqliteDatabase): ReleaseStore {
  ensureSchema(db);
  const putResult = db.prepare(
    `INSERT INTO release_results (release_id, env, step_id, outcome, summary, evidence, facts)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (release_id, env, step_id) DO UPDATE SET
       outcome = excluded.outcome, summary = excluded.summary, evidence = excluded.evidence, facts = excluded.facts`,
  );
  const putConfirmation = db.prepare(
    `INSERT INTO release_confirmations (release_id, step_id, by, at, note) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (release_id, step_id) DO UPDATE SET by = excluded.by, at = excluded.at, note = excluded.note`,
  );
  const putRun = db.prepare(
    `INSERT INTO release_runs (release_id, env, target, actor, started_at, finished_at, decision, redis_required, inngest_required, reasons)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  );

  const results = (releaseId: string, env: TargetEnv): Map<string, StepResult> => {
    const rows = db
      .prepare(
        'SELECT step_id, outcome, summary, evidence, facts FROM release_results WHERE release_id = ? AND env = ?',
      )
      .all(releaseId, env);
    const out = new Map<string, StepResult>();
    for (const raw of rows) {
      const row = resultRow.parse(raw);
      out.set(row.step_id, {
        step_id: row.step_id,
        outcome: row.outcome,
        summary: row.summary,
        evidence: evidenceSchema.parse(JSON.parse(row.evidence)) as StepResult['evidence'],
        ...(row.facts ? { facts: JSON.parse(row.facts) as StepResult['facts'] } : {}),
      });
    }
    return out;
  };

  const confirmations = (releaseId: string): Map<string, Confirmation> => {
    const rows = db
      .prepare('SELECT step_id, by, at, note FROM release_confirmations WHERE release_id = ?')
      .all(releaseId);
    return new Map(
      rows.map((raw) => {
        const row = confirmationRow.parse(raw);
        return [
          row.step_id,
          { step_id: row.step_id, by: row.by, at: row.at, ...(row.note ? { note: row.note } : {}) },
        ];
      }),
    );
  };

  const latestRun = (releaseId?: string, env?: TargetEnv): ReleaseRunRecord | undefined => {
    const where = [releaseId ? 'release_id = @releaseId' : '', env ? 'env = @env' : ''].filter(Boolean);
    const raw = db
      .prepare(
        `SELECT * FROM release_runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT 1`,
      )
      .get({ ...(releaseId ? { releaseId } : {}), ...(env ? { env } : {}) });
    if (!raw) return undefined;
    const row = runRow.parse(raw);
    return {
      ...row,
      redis_required: row.redis_required === 1,
      inngest_required: row.inngest_required === 1,
      reasons: z.array(z.string()).parse(JSON.parse(row.reasons)),
    };
  };
  return {
    putResult(releaseId, env, result) {
      putResult.run(
        releaseId,
        env,
        result.step_id,
        result.outcome,
        result.summary,
        JSON.stringify(result.evidence),
        result.facts ? JSON.stringify(result.facts) : null,
      );
    },
    putConfirmation(releaseId, c) {
      putConfirmation.run(releaseId, c.step_id, c.by, c.at, c.note ?? null);
    },
    putRun(run) {
      const row = putRun.get(
        run.release_id,
        run.env,
        run.target,
        run.actor,
        run.started_at,
        run.finished_at,
        run.decision,
        run.redis_required ? 1 : 0,
        run.inngest_required ? 1 : 0,
        JSON.stringify(run.reasons),
      ) as { id: number };
      return row.id;
    },
    results,
    confirmations,
    latestRun,
  };
}
