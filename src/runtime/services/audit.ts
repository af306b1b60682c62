/**
 * The audit trail (SPEC 5): append-only rows in the embedded SQLite database, each hash-chained to
 * the previous one (see `domain/audit-chain.ts`).
 *
 * - `append` is synchronous and runs in a write transaction (BEGIN IMMEDIATE when called on its own,
 *   a savepoint inside a caller's `db.transaction(...)`), so a local change and its audit row commit
 *   together, and the previous hash is read under the write lock: processes sharing the file still
 *   form one chain. `seq` and `prev_hash` are unique, so even a caller that reads a stale head inside
 *   a deferred transaction fails instead of forking the chain. Callers that wrap `append` in their
 *   own transaction should start it with `.immediate()` (see docs/audit-and-traces.md).
 * - UPDATE and DELETE are refused by triggers; `verify` still recomputes every hash, so a row edited
 *   by someone who dropped a trigger or edited the file is found. Missing triggers are restored on
 *   open and reported as a warning by `verify`.
 */
import { z } from 'zod';
import {
  nextAuditRow,
  verifyAuditChain,
  type AuditChainRow,
  type VerifyResult,
} from '../domain/audit-chain.js';
import { UserError } from '../errors.js';
import type { SqliteDatabase } from '../stores/sqlite/database.js';

export type { VerifyResult, ChainBreak } from '../domain/audit-chain.js';

export interface AuditEntry {
  /** Who did it: a reviewer name, `system`, `scheduler`, `cli:<user>`. */
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

export interface AuditLog {
  append(entry: AuditEntry): AuditRow;
  /** Recompute the whole chain; stops at the first broken row. */
  verify(): VerifyResult;
  /** The last `n` rows, oldest first. */
  tail(n: number): AuditRow[];
  /** One row by its seq. */
  get(seq: number): AuditRow | undefined;
  count(): number;
}

export interface AuditLogOptions {
  now?: () => number;
}

export const AUDIT_TABLE = 'audit_log';
const TRIGGERS = {
  audit_log_no_update: 'UPDATE',
  audit_log_no_delete: 'DELETE',
} as const;

const entrySchema = z.object({
  actor: z.string().trim().min(1, 'actor is required').max(200),
  action: z.string().trim().min(1, 'action is required').max(200),
  subject: z.string().trim().max(1000),
  details: z.unknown().optional(),
});

const rowSchema = z.object({
  seq: z.number().int().positive(),
  time: z.string().min(1),
  actor: z.string(),
  action: z.string(),
  subject: z.string(),
  details: z.string(),
  prev_hash: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});

const COLUMNS = 'seq, time, actor, action, subject, details, prev_hash, hash';

/** Create the table and the append-only triggers; returns the triggers that had to be (re)created on an existing table. */
function ensureSchema(db: SqliteDatabase): string[] {
  if (db.readonly) return [];
  return db
    .transaction(() => {
      const tableExisted =
        db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(AUDIT_TABLE) !==
        undefined;
      db.exec(`CREATE TABLE IF NOT EXISTS ${AUDIT_TABLE} (
        seq INTEGER PRIMARY KEY,
        time TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        details TEXT NOT NULL,
        prev_hash TEXT NOT NULL UNIQUE,
        hash TEXT NOT NULL UNIQUE
      )`);
      const existing = new Set(
        (
          db
            .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?")
            .all(AUDIT_TABLE) as {
            name: string;
          }[]
        ).map((row) => row.name),
      );
      const restored: string[] = [];
      for (const [name, event] of Object.entries(TRIGGERS)) {
        if (existing.has(name)) continue;
        db.exec(
          `CREATE TRIGGER ${name} BEFORE ${event} ON ${AUDIT_TABLE} BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: ${event} is not allowed'); END`,
        );
        if (tableExisted) restored.push(name);
      }
      return restored;
    })
    .immediate();
}

function toAuditRow(row: AuditChainRow): AuditRow {
  let details: unknown;
  try {
    details = JSON.parse(row.details);
  } catch {
    details = row.details;
  }
  return { ...row, details };
}

export function createAuditLog(db: SqliteDatabase, options: AuditLogOptions = {}): AuditLog {
  const now = options.now ?? Date.now;
  const restoredTriggers = ensureSchema(db);
  const warnings = restoredTriggers.map(
    (name) => `append-only trigger ${name} was missing (dropped by hand?) and has been restored`,
  );

  const headStmt = db.prepare(`SELECT seq, hash FROM ${AUDIT_TABLE} ORDER BY seq DESC LIMIT 1`);
  const insertStmt = db.prepare(
    `INSERT INTO ${AUDIT_TABLE} (${COLUMNS}) VALUES (@seq, @time, @actor, @action, @subject, @details, @prev_hash, @hash)`,
  );
  const tailStmt = db.prepare(
    `SELECT ${COLUMNS} FROM (SELECT ${COLUMNS} FROM ${AUDIT_TABLE} ORDER BY seq DESC LIMIT ?) ORDER BY seq ASC`,
  );
  const allStmt = db.prepare(`SELECT ${COLUMNS} FROM ${AUDIT_TABLE} ORDER BY seq ASC`);
  const getStmt = db.prepare(`SELECT ${COLUMNS} FROM ${AUDIT_TABLE} WHERE seq = ?`);
  const countStmt = db.prepare(`SELECT count(*) AS n FROM ${AUDIT_TABLE}`).pluck();

  const appendTx = db.transaction((entry: z.output<typeof entrySchema>): AuditChainRow => {
    const head = headStmt.get() as { seq: number; hash: string } | undefined;
    const row = nextAuditRow(head, { ...entry, time: new Date(now()).toISOString() });
    insertStmt.run(row);
    return row;
  });

  return {
    append(entry) {
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
      // Nested inside a caller's transaction this becomes a savepoint; on its own, BEGIN IMMEDIATE.
      return toAuditRow(appendTx.immediate(parsed.data));
    },

    verify() {
      function* rows(): Generator<AuditChainRow | { invalid: { seq: number; reason: string } }> {
        for (const raw of allStmt.iterate()) {
          const parsed = rowSchema.safeParse(raw);
          if (parsed.success) yield parsed.data;
          else {
            const seq = Number((raw as { seq?: unknown }).seq);
            yield {
              invalid: {
                seq: Number.isFinite(seq) ? seq : 0,
                reason: parsed.error.issues
                  .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
                  .join('; '),
              },
            };
          }
        }
      }
      return verifyAuditChain(rows(), [...warnings]);
    },

    tail(n) {
      const limit = Math.max(0, Math.floor(n));
      return (tailStmt.all(limit) as unknown[]).map((raw) => toAuditRow(rowSchema.parse(raw)));
    },

    get(seq) {
      const raw = getStmt.get(seq);
      return raw === undefined ? undefined : toAuditRow(rowSchema.parse(raw));
    },

    count() {
      return countStmt.get() as number;
    },
  };
}
