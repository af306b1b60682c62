/**
 * The audit chain in the record (SPEC 5): append-only rows, each hash-chained to the previous one (see
 * `domain/audit-chain.ts`). `append` reads the head and inserts the next row inside one write
 * transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory transaction lock), so every process and
 * host appends to one chain; `seq`, `prev_hash` and `hash` are unique, so a stale head fails instead of
 * forking. Call it inside the same `record.transaction` as the change it records. UPDATE and DELETE are
 * refused by triggers (created by migration 5, see `append-only.ts`).
 */
import { sql } from 'kysely';
import { z } from 'zod';
import { nextAuditRow, type AuditChainRow } from '../../../domain/audit-chain.js';
import { UserError } from '../../../errors.js';
import { appendOnly, appendOnlyState } from '../append-only.js';
import type { Executor, RepoContext } from '../context.js';

export interface AuditTables {
  audit_log: {
    seq: number;
    time: string;
    actor: string;
    action: string;
    subject: string;
    details: string;
    prev_hash: string;
    hash: string;
  };
}

export const AUDIT_TABLE = 'audit_log';
/** How migration 5 made the chain append-only (repair restores exactly that). */
export const AUDIT_APPEND_ONLY = { functionName: 'caio_audit_append_only' } as const;
/** PostgreSQL advisory lock key for the chain head (any constant distinct from other locks). */
const AUDIT_LOCK_KEY = 7_243_001;

export interface AuditEntry {
  /** Who did it: an operator name, `system`, `scheduler`, `NAME (service token)`. */
  actor: string;
  /** What was done, dotted: `queue.approve`, `batch.execute`, `release.decision`. */
  action: string;
  /** What it was done to: a draft id, batch id, env file, release id. */
  subject: string;
  /** Any JSON-serialisable value; stored as canonical JSON. Never put secrets here. */
  details?: unknown;
}

export interface AuditRow {
  seq: number;
  time: string;
  actor: string;
  action: string;
  subject: string;
  details: unknown;
  prev_hash: string;
  hash: string;
}

const entrySchema = z.object({
  actor: z.string().trim().min(1, 'actor is required').max(200),
  action: z.string().trim().min(1, 'action is required').max(200),
  subject: z.string().trim().max(1000),
  details: z.unknown().optional(),
});

export const auditRowSchema = z.object({
  seq: z.coerce.number().int().positive(),
  time: z.string().min(1),
  actor: z.string(),
  action: z.string(),
  subject: z.string(),
  details: z.string(),
  prev_hash: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});

export function toAuditRow(row: AuditChainRow): AuditRow {
  let details: unknown;
  try {
    details = JSON.parse(row.details);
  } catch {
    details = row.details;
  }
  return { ...row, details };
}

const COLUMNS = ['seq', 'time', 'actor', 'action', 'subject', 'details', 'prev_hash', 'hash'] as const;

export function createAuditRepo(exec: Executor, ctx: RepoContext) {
  async function appendIn(trx: Executor, entry: z.output<typeof entrySchema>): Promise<AuditRow> {
    if (ctx.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`.execute(trx);
    const head = await trx
      .selectFrom('audit_log')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const row = nextAuditRow(head ? { seq: Number(head.seq), hash: head.hash } : undefined, {
      ...entry,
      time: new Date(ctx.now()).toISOString(),
    });
    await trx.insertInto('audit_log').values(row).execute();
    return toAuditRow(row);
  }

  return {
    /** Append one row; inside a transaction it joins it, on its own it opens one. */
    async append(entry: AuditEntry): Promise<AuditRow> {
      const parsed = entrySchema.safeParse(entry);
      if (!parsed.success) {
        throw new UserError(
          `Invalid audit entry: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`,
          {
            code: 'audit_entry_invalid',
            nextStep: 'Give an actor (who), an action (what) and a subject (on what).',
          },
        );
      }
      if (exec.isTransaction) return appendIn(exec, parsed.data);
      return exec.transaction().execute((trx) => appendIn(trx, parsed.data));
    },

    /** The newest row's seq and hash (the chain head), undefined when empty. */
    async head(): Promise<{ seq: number; hash: string } | undefined> {
      const row = await exec
        .selectFrom('audit_log')
        .select(['seq', 'hash'])
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? { seq: Number(row.seq), hash: row.hash } : undefined;
    },

    /** The last `n` rows, oldest first. */
    async tail(n: number): Promise<AuditRow[]> {
      const rows = await exec
        .selectFrom('audit_log')
        .select(COLUMNS)
        .orderBy('seq', 'desc')
        .limit(Math.max(0, Math.floor(n)))
        .execute();
      return rows.reverse().map((raw) => toAuditRow(auditRowSchema.parse(raw)));
    },

    async get(seq: number): Promise<AuditRow | undefined> {
      const raw = await exec
        .selectFrom('audit_log')
        .select(COLUMNS)
        .where('seq', '=', seq)
        .executeTakeFirst();
      return raw === undefined ? undefined : toAuditRow(auditRowSchema.parse(raw));
    },

    async count(): Promise<number> {
      const row = await exec
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Every row in seq order, read in pages (for verify); rows are raw (validate them). */
    async *rows(pageSize = 2000): AsyncGenerator<Record<string, unknown>> {
      let after = 0;
      for (;;) {
        const page = await exec
          .selectFrom('audit_log')
          .select(COLUMNS)
          .where('seq', '>', after)
          .orderBy('seq', 'asc')
          .limit(pageSize)
          .execute();
        for (const row of page) yield row;
        if (page.length < pageSize) return;
        after = Number(page[page.length - 1]?.seq ?? after);
      }
    },

    /** Is the table there, and which append-only triggers are missing? (verify reports; it never repairs.) */
    integrity(): Promise<{ table: boolean; missingTriggers: string[] }> {
      return appendOnlyState(exec, ctx.dialect, AUDIT_TABLE);
    },

    /** Restore missing append-only triggers (only `caio audit repair-triggers`); returns their names. */
    async repair(): Promise<string[]> {
      const { table, missingTriggers } = await appendOnlyState(exec, ctx.dialect, AUDIT_TABLE);
      if (!table || missingTriggers.length === 0) return [];
      await appendOnly(exec, ctx.dialect, AUDIT_TABLE, AUDIT_APPEND_ONLY);
      return missingTriggers;
    },
  };
}
export type AuditRepo = ReturnType<typeof createAuditRepo>;
