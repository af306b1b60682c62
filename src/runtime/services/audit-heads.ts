/**
 * Recorded heads of the audit chain (SPEC 5): each release decision stores the head it saw, and
 * `caio audit verify` checks the chain against every one of them, so a cut tail, emptied table or
 * dropped table fails verification every time. All the SQL for it is in this file.
 *
 * audit_heads (id, seq, hash, recorded_at, reason) is append-only like audit_log: UPDATE and DELETE
 * are refused by triggers, and verify reports a missing table or trigger as a failure.
 */
import type { RecordedHead } from '../domain/audit-chain.js';
import type { SqliteDatabase } from '../stores/sqlite/database.js';

export const AUDIT_HEADS_TABLE = 'audit_heads';

export const AUDIT_HEADS_SCHEMA = `CREATE TABLE IF NOT EXISTS ${AUDIT_HEADS_TABLE} (
  id INTEGER PRIMARY KEY,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  reason TEXT NOT NULL
)`;

export const AUDIT_HEADS_TRIGGERS = {
  audit_heads_no_update: 'UPDATE',
  audit_heads_no_delete: 'DELETE',
} as const;

/** Store `head` (seq 0 and the genesis hash for an empty chain). Synchronous: joins the caller's transaction. */
export function recordAuditHead(
  db: SqliteDatabase,
  head: { seq: number; hash: string },
  reason: string,
  at: string,
): RecordedHead {
  db.prepare(`INSERT INTO ${AUDIT_HEADS_TABLE} (seq, hash, recorded_at, reason) VALUES (?, ?, ?, ?)`).run(
    head.seq,
    head.hash,
    at,
    reason,
  );
  return { seq: head.seq, hash: head.hash, recorded_at: at, reason };
}

/** Every recorded head, oldest first; undefined when the table does not exist. */
export function listAuditHeads(db: SqliteDatabase): RecordedHead[] | undefined {
  const exists = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
    .get(AUDIT_HEADS_TABLE);
  if (exists === undefined) return undefined;
  return db
    .prepare(`SELECT seq, hash, recorded_at, reason FROM ${AUDIT_HEADS_TABLE} ORDER BY id ASC`)
    .all() as RecordedHead[];
}
