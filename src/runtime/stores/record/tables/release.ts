/**
 * Release evidence (SPEC 10) in the record, so every host and console reads the same checklist:
 * check results keyed by release, environment and target (append-only; a step's current result is
 * its newest row), sign-offs with their history (append; an unconfirm stamps `revoked_at`; the
 * current sign-off is the newest row not revoked), and GO/NO-GO decisions, each with the audit head
 * it saw. Every row read back is validated with zod.
 */
import { sql, type Generated } from 'kysely';
import { z } from 'zod';
import {
  TARGET_ENVS,
  type Confirmation,
  type StepResult,
  type TargetEnv,
} from '../../../domain/ritual/index.js';
import type { Executor, RepoContext } from '../context.js';

export interface ReleaseTables {
  release_check_results: {
    id: Generated<number>;
    release_id: string;
    env: string;
    target: string;
    step_id: string;
    outcome: string;
    summary: string;
    evidence: string;
    facts: string | null;
    ran_by: string;
    ran_at: string;
  };
  release_signoffs: {
    id: Generated<number>;
    release_id: string;
    step_id: string;
    confirmed_by: string;
    at: string;
    note: string | null;
    forced: Generated<number>;
    revoked_at: string | null;
    revoked_by: string | null;
  };
  release_decisions: {
    id: Generated<number>;
    release_id: string;
    env: string;
    target: string;
    actor: string;
    started_at: string;
    finished_at: string;
    decision: string;
    redis_required: number;
    inngest_required: number;
    reasons: string;
    audit_seq: number;
    audit_hash: string;
  };
}

const idSchema = z.coerce.number().int();
/** PostgreSQL advisory lock namespace serialising one release's sign-offs across hosts. */
const SIGNOFF_LOCK_NAMESPACE = 7_243_010;

/** One stored GO/NO-GO, with the audit head (seq, hash) it saw. */
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
  audit_seq: number;
  audit_hash: string;
}

/** One row of a step's sign-off history. */
export interface ConfirmationRecord extends Confirmation {
  id: number;
  forced: boolean;
  revoked_at: string | null;
  revoked_by: string | null;
}

const resultRow = z.object({
  step_id: z.string(),
  target: z.string(),
  outcome: z.enum(['pass', 'fail', 'inconclusive']),
  summary: z.string(),
  evidence: z.string(),
  facts: z.string().nullable(),
  ran_by: z.string(),
  ran_at: z.string(),
});
const evidenceSchema = z.object({ by: z.string(), at: z.string() }).passthrough();
const confirmationRow = z.object({
  id: idSchema,
  step_id: z.string(),
  confirmed_by: z.string(),
  at: z.string(),
  note: z.string().nullable(),
  forced: z.coerce.number(),
  revoked_at: z.string().nullable(),
  revoked_by: z.string().nullable(),
});
const decisionRow = z.object({
  id: idSchema,
  release_id: z.string(),
  env: z.enum(TARGET_ENVS),
  target: z.string(),
  actor: z.string(),
  started_at: z.string(),
  finished_at: z.string(),
  decision: z.enum(['GO', 'NO-GO']),
  redis_required: z.coerce.number(),
  inngest_required: z.coerce.number(),
  reasons: z.string(),
  audit_seq: idSchema,
  audit_hash: z.string(),
});

const RESULT_COLUMNS = [
  'step_id',
  'target',
  'outcome',
  'summary',
  'evidence',
  'facts',
  'ran_by',
  'ran_at',
] as const;
const CONFIRMATION_COLUMNS = [
  'id',
  'step_id',
  'confirmed_by',
  'at',
  'note',
  'forced',
  'revoked_at',
  'revoked_by',
] as const;

function toResult(raw: unknown): StepResult {
  const row = resultRow.parse(raw);
  const evidence = evidenceSchema.parse(JSON.parse(row.evidence)) as StepResult['evidence'];
  return {
    step_id: row.step_id,
    outcome: row.outcome,
    summary: row.summary,
    evidence: { ...evidence, by: row.ran_by, at: row.ran_at, target: row.target },
    ...(row.facts ? { facts: JSON.parse(row.facts) as StepResult['facts'] } : {}),
  };
}

function toConfirmation(raw: unknown): ConfirmationRecord {
  const row = confirmationRow.parse(raw);
  return {
    id: row.id,
    step_id: row.step_id,
    by: row.confirmed_by,
    at: row.at,
    ...(row.note ? { note: row.note } : {}),
    forced: row.forced === 1,
    revoked_at: row.revoked_at,
    revoked_by: row.revoked_by,
  };
}

function toDecision(raw: unknown): ReleaseRunRecord {
  const row = decisionRow.parse(raw);
  return {
    ...row,
    redis_required: row.redis_required === 1,
    inngest_required: row.inngest_required === 1,
    reasons: z.array(z.string()).parse(JSON.parse(row.reasons)),
  };
}

export function createReleaseRepo(exec: Executor, ctx: RepoContext) {
  return {
    /**
     * Serialise sign-offs of one release for the rest of the transaction (PostgreSQL: an advisory
     * transaction lock; SQLite: BEGIN IMMEDIATE already serialises every writer), so two hosts
     * cannot both see a step unconfirmed and both sign it off.
     */
    async lockSignoffs(releaseId: string): Promise<void> {
      if (ctx.dialect !== 'postgres') return;
      await sql`select pg_advisory_xact_lock(${SIGNOFF_LOCK_NAMESPACE}, hashtext(${releaseId}))`.execute(
        exec,
      );
    },

    /** Store one check result (a new row: a re-run supersedes, history stays). */
    async putResult(releaseId: string, env: TargetEnv, result: StepResult): Promise<void> {
      const { by, at, target, ...rest } = result.evidence;
      await exec
        .insertInto('release_check_results')
        .values({
          release_id: releaseId,
          env,
          target: target ?? 'unknown target',
          step_id: result.step_id,
          outcome: result.outcome,
          summary: result.summary,
          evidence: JSON.stringify({ by, at, ...rest }),
          facts: result.facts ? JSON.stringify(result.facts) : null,
          ran_by: by,
          ran_at: at,
        })
        .execute();
    },

    /** The current result of every step run for (release, env): each step's newest row. */
    async results(releaseId: string, env: TargetEnv): Promise<Map<string, StepResult>> {
      const rows = await exec
        .selectFrom('release_check_results')
        .select(RESULT_COLUMNS)
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('release_check_results')
            .select((s) => s.fn.max('id').as('id'))
            .where('release_id', '=', releaseId)
            .where('env', '=', env)
            .groupBy('step_id'),
        )
        .execute();
      return new Map(rows.map((raw) => [raw.step_id, toResult(raw)]));
    },

    /** Every stored result of one step, newest first (at most `limit`). */
    async resultHistory(
      releaseId: string,
      env: TargetEnv,
      stepId: string,
      limit = 50,
    ): Promise<StepResult[]> {
      const rows = await exec
        .selectFrom('release_check_results')
        .select(RESULT_COLUMNS)
        .where('release_id', '=', releaseId)
        .where('env', '=', env)
        .where('step_id', '=', stepId)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toResult);
    },

    /** Append a sign-off; returns its row id. */
    async confirm(releaseId: string, c: Confirmation & { forced?: boolean | undefined }): Promise<number> {
      const row = await exec
        .insertInto('release_signoffs')
        .values({
          release_id: releaseId,
          step_id: c.step_id,
          confirmed_by: c.by,
          at: c.at,
          note: c.note ?? null,
          forced: c.forced ? 1 : 0,
          revoked_at: null,
          revoked_by: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return Number(row.id);
    },

    /** Withdraw the step's active sign-offs; returns the rows withdrawn (oldest first). */
    async unconfirm(
      releaseId: string,
      stepId: string,
      by: string,
      at: string,
    ): Promise<ConfirmationRecord[]> {
      const active = await exec
        .selectFrom('release_signoffs')
        .select(CONFIRMATION_COLUMNS)
        .where('release_id', '=', releaseId)
        .where('step_id', '=', stepId)
        .where('revoked_at', 'is', null)
        .orderBy('id', 'asc')
        .execute();
      if (active.length === 0) return [];
      await exec
        .updateTable('release_signoffs')
        .set({ revoked_at: at, revoked_by: by })
        .where('release_id', '=', releaseId)
        .where('step_id', '=', stepId)
        .where('revoked_at', 'is', null)
        .execute();
      return active.map(toConfirmation);
    },

    /** The current sign-off of each step: its newest row not revoked. */
    async confirmations(releaseId: string): Promise<Map<string, ConfirmationRecord>> {
      const rows = await exec
        .selectFrom('release_signoffs')
        .select(CONFIRMATION_COLUMNS)
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('release_signoffs')
            .select((s) => s.fn.max('id').as('id'))
            .where('release_id', '=', releaseId)
            .where('revoked_at', 'is', null)
            .groupBy('step_id'),
        )
        .execute();
      return new Map(rows.map((raw) => [raw.step_id, toConfirmation(raw)]));
    },

    /** The whole sign-off history of a release (or of one step), oldest first. */
    async confirmationHistory(releaseId: string, stepId?: string): Promise<ConfirmationRecord[]> {
      let query = exec
        .selectFrom('release_signoffs')
        .select(CONFIRMATION_COLUMNS)
        .where('release_id', '=', releaseId);
      if (stepId !== undefined) query = query.where('step_id', '=', stepId);
      const rows = await query.orderBy('id', 'asc').limit(1000).execute();
      return rows.map(toConfirmation);
    },

    /** Store a decision (call inside the transaction that appended its audit row); returns its id. */
    async putDecision(run: Omit<ReleaseRunRecord, 'id'>): Promise<number> {
      const row = await exec
        .insertInto('release_decisions')
        .values({
          release_id: run.release_id,
          env: run.env,
          target: run.target,
          actor: run.actor,
          started_at: run.started_at,
          finished_at: run.finished_at,
          decision: run.decision,
          redis_required: run.redis_required ? 1 : 0,
          inngest_required: run.inngest_required ? 1 : 0,
          reasons: JSON.stringify(run.reasons),
          audit_seq: run.audit_seq,
          audit_hash: run.audit_hash,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return Number(row.id);
    },

    /** The newest decision, optionally for one release and/or environment. */
    async latestDecision(releaseId?: string, env?: TargetEnv): Promise<ReleaseRunRecord | undefined> {
      let query = exec.selectFrom('release_decisions').selectAll();
      if (releaseId !== undefined) query = query.where('release_id', '=', releaseId);
      if (env !== undefined) query = query.where('env', '=', env);
      const raw = await query.orderBy('id', 'desc').limit(1).executeTakeFirst();
      return raw === undefined ? undefined : toDecision(raw);
    },

    /**
     * The audit heads the decisions saw, in id order, paged (`after` an id): what `caio audit verify`
     * checks the chain against.
     */
    async decisionHeads(
      options: { after?: number; limit?: number } = {},
    ): Promise<{ id: number; release_id: string; env: string; seq: number; hash: string; at: string }[]> {
      const rows = await exec
        .selectFrom('release_decisions')
        .select(['id', 'release_id', 'env', 'audit_seq', 'audit_hash', 'finished_at'])
        .where('id', '>', options.after ?? 0)
        .orderBy('id', 'asc')
        .limit(options.limit ?? 1000)
        .execute();
      return rows.map((row) => ({
        id: Number(row.id),
        release_id: row.release_id,
        env: row.env,
        seq: Number(row.audit_seq),
        hash: row.audit_hash,
        at: row.finished_at,
      }));
    },
  };
}
export type ReleaseRepo = ReturnType<typeof createReleaseRepo>;
