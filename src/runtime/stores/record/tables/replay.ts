/**
 * Replay runs and promoted baselines in the record (SPEC 9): the gate's history for every host — the
 * comparison with the previous run, the scorecard's trend, the ritual's weekly critical-failure check —
 * and every promotion of a run to its golden set's baseline (the newest promotion is the baseline).
 */
import type { Generated } from 'kysely';
import { z } from 'zod';
import type { Executor, RepoContext } from '../context.js';

export interface ReplayTables {
  replay_gate_runs: {
    id: Generated<number>;
    ran_at: string;
    ran_by: string;
    golden_set: string;
    total: number;
    passed: number;
    pass_rate: number;
    threshold: number;
    block_build: number;
    critical_count: number;
    failed_ids: string;
    cases_hash: string | null;
    holdout_hash: string | null;
    rubric_hash: string | null;
    holdout_total: number | null;
    holdout_passed: number | null;
    holdout_failed_ids: string | null;
  };
  replay_baseline_promotions: {
    id: Generated<number>;
    golden_set: string;
    run_id: number;
    promoted_at: string;
    promoted_by: string;
  };
}

export interface ReplayRunInput {
  ran_at: string;
  /** Who ran it: an operator, `scheduler`, `release-ritual`. */
  ran_by: string;
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
  cases_hash: string | null;
  holdout_hash: string | null;
  rubric_hash: string | null;
  holdout_total: number | null;
  holdout_passed: number | null;
  holdout_failed_ids: string[];
}

export interface ReplayBaseline {
  run: ReplayRun;
  promoted_at: string;
  promoted_by: string;
}

export interface ReplayListOptions {
  limit?: number | undefined;
  /** ISO timestamps: `since` inclusive, `until` exclusive. */
  since?: string | undefined;
  until?: string | undefined;
  goldenSet?: string | undefined;
}

const int = z.coerce.number().int();
const rowSchema = z.object({
  id: int,
  ran_at: z.string(),
  ran_by: z.string(),
  golden_set: z.string(),
  total: int,
  passed: int,
  pass_rate: z.coerce.number(),
  threshold: z.coerce.number(),
  block_build: int,
  critical_count: int,
  failed_ids: z.string(),
  cases_hash: z.string().nullable(),
  holdout_hash: z.string().nullable(),
  rubric_hash: z.string().nullable(),
  holdout_total: int.nullable(),
  holdout_passed: int.nullable(),
  holdout_failed_ids: z.string().nullable(),
});

function idList(text: string | null): string[] {
  if (!text) return [];
  try {
    const ids = z.array(z.string()).safeParse(JSON.parse(text));
    return ids.success ? ids.data : [];
  } catch {
    return [];
  }
}

function toRun(raw: unknown): ReplayRun {
  const row = rowSchema.parse(raw);
  return {
    ...row,
    block_build: row.block_build === 1,
    failed_ids: idList(row.failed_ids),
    holdout_failed_ids: idList(row.holdout_failed_ids),
  };
}

/** At most this many runs in one list (the scorecard's trend and the weekly check need far fewer). */
export const REPLAY_LIST_MAX = 1000;

export function createReplayRepo(exec: Executor, _ctx: RepoContext) {
  const runs = () => exec.selectFrom('replay_gate_runs').selectAll();

  async function get(id: number): Promise<ReplayRun | undefined> {
    const row = await runs().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toRun(row);
  }

  return {
    async insert(run: ReplayRunInput): Promise<ReplayRun> {
      const row = await exec
        .insertInto('replay_gate_runs')
        .values({
          ran_at: run.ran_at,
          ran_by: run.ran_by,
          golden_set: run.golden_set,
          total: run.total,
          passed: run.passed,
          pass_rate: run.pass_rate,
          threshold: run.threshold,
          block_build: run.block_build ? 1 : 0,
          critical_count: run.critical_count,
          failed_ids: JSON.stringify(run.failed_ids),
          cases_hash: run.cases_hash ?? null,
          holdout_hash: run.holdout_hash ?? null,
          rubric_hash: run.rubric_hash ?? null,
          holdout_total: run.holdout_total ?? null,
          holdout_passed: run.holdout_passed ?? null,
          holdout_failed_ids: run.holdout_failed_ids ? JSON.stringify(run.holdout_failed_ids) : null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRun(row);
    },

    get,

    /** The newest run, optionally of one golden-set folder. */
    async latest(goldenSet?: string): Promise<ReplayRun | undefined> {
      let query = runs();
      if (goldenSet !== undefined) query = query.where('golden_set', '=', goldenSet);
      const row = await query.orderBy('id', 'desc').limit(1).executeTakeFirst();
      return row === undefined ? undefined : toRun(row);
    },

    /** Newest first, at most `limit` (default 100, at most REPLAY_LIST_MAX). */
    async list(options: ReplayListOptions = {}): Promise<ReplayRun[]> {
      let query = runs();
      if (options.since !== undefined) query = query.where('ran_at', '>=', options.since);
      if (options.until !== undefined) query = query.where('ran_at', '<', options.until);
      if (options.goldenSet !== undefined) query = query.where('golden_set', '=', options.goldenSet);
      const limit = Math.max(1, Math.min(REPLAY_LIST_MAX, Math.floor(options.limit ?? 100)));
      const rows = await query.orderBy('id', 'desc').limit(limit).execute();
      return rows.map(toRun);
    },

    /** Record a promotion (history is kept); false when the run does not exist. */
    async promote(runId: number, by: string, at: string): Promise<ReplayBaseline | undefined> {
      const run = await get(runId);
      if (!run) return undefined;
      await exec
        .insertInto('replay_baseline_promotions')
        .values({ golden_set: run.golden_set, run_id: runId, promoted_at: at, promoted_by: by })
        .execute();
      return { run, promoted_at: at, promoted_by: by };
    },

    /** The golden set's baseline: its newest promotion. */
    async baseline(goldenSet: string): Promise<ReplayBaseline | undefined> {
      const row = await exec
        .selectFrom('replay_baseline_promotions')
        .select(['run_id', 'promoted_at', 'promoted_by'])
        .where('golden_set', '=', goldenSet)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (!row) return undefined;
      const run = await get(Number(row.run_id));
      return run ? { run, promoted_at: row.promoted_at, promoted_by: row.promoted_by } : undefined;
    },

    /** Every promotion of a golden set, newest first (who promoted which run, when). */
    async promotions(
      goldenSet: string,
      limit = 50,
    ): Promise<{ run_id: number; promoted_at: string; promoted_by: string }[]> {
      const rows = await exec
        .selectFrom('replay_baseline_promotions')
        .select(['run_id', 'promoted_at', 'promoted_by'])
        .where('golden_set', '=', goldenSet)
        .orderBy('id', 'desc')
        .limit(Math.max(1, Math.min(REPLAY_LIST_MAX, Math.floor(limit))))
        .execute();
      return rows.map((row) => ({ ...row, run_id: Number(row.run_id) }));
    },
  };
}
export type ReplayRepo = ReturnType<typeof createReplayRepo>;
