/**
 * Recorded heads of the audit chain (SPEC 5): `(id, seq, hash, recorded_at, reason)`, append-only
 * (migration 9). Each release decision stores the head it saw, in the transaction of the decision;
 * verify checks the chain against every one, so a cut tail, an emptied or a dropped table fails.
 */
import type { Generated } from 'kysely';
import type { RecordedHead } from '../../../domain/audit-chain.js';
import { appendOnlyState } from '../append-only.js';
import { up as createAuditHeads } from '../migrations/009-audit-heads.js';
import type { Executor, RepoContext } from '../context.js';

export interface AuditHeadsTables {
  audit_heads: {
    id: Generated<number>;
    seq: number;
    hash: string;
    recorded_at: string;
    reason: string;
  };
}

export const AUDIT_HEADS_TABLE = 'audit_heads';

export interface HeadToRecord {
  /** 0 with the genesis hash for an empty chain. */
  seq: number;
  hash: string;
  /** Why it was recorded, e.g. `release.decision r1/staging`. */
  reason: string;
}

export function createAuditHeadsRepo(exec: Executor, ctx: RepoContext) {
  return {
    /** Store a head (inside a transaction it joins it: record it with the change that saw it). */
    async record(head: HeadToRecord): Promise<RecordedHead> {
      const recorded_at = new Date(ctx.now()).toISOString();
      await exec
        .insertInto('audit_heads')
        .values({ seq: head.seq, hash: head.hash, recorded_at, reason: head.reason })
        .execute();
      return { seq: head.seq, hash: head.hash, recorded_at, reason: head.reason };
    },

    /** Every recorded head, oldest first. */
    async list(): Promise<RecordedHead[]> {
      const rows = await exec
        .selectFrom('audit_heads')
        .select(['seq', 'hash', 'recorded_at', 'reason'])
        .orderBy('id', 'asc')
        .execute();
      return rows.map((row) => ({ ...row, seq: Number(row.seq) }));
    },

    /** Is the table there, and which append-only triggers are missing? (Read only.) */
    integrity(): Promise<{ table: boolean; missingTriggers: string[] }> {
      return appendOnlyState(exec, ctx.dialect, AUDIT_HEADS_TABLE);
    },

    /** Recreate a dropped table or missing triggers (only `caio audit repair-triggers`); returns what. */
    async repair(): Promise<string[]> {
      const { table, missingTriggers } = await appendOnlyState(exec, ctx.dialect, AUDIT_HEADS_TABLE);
      if (table && missingTriggers.length === 0) return [];
      await createAuditHeads(exec, ctx.dialect);
      return table ? missingTriggers : [AUDIT_HEADS_TABLE];
    },
  };
}
export type AuditHeadsRepo = ReturnType<typeof createAuditHeadsRepo>;

/** Record the head a change saw, in that change's transaction: `await recordHead(tx, {seq, hash, reason})`. */
export function recordHead(tx: { auditHeads: AuditHeadsRepo }, head: HeadToRecord): Promise<RecordedHead> {
  return tx.auditHeads.record(head);
}
