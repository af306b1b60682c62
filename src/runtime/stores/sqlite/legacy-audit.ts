/**
 * The audit chain a host kept in its own HIVE_DIR/caio.db before it used a shared PostgreSQL record.
 * Read only: `caio audit verify` reports it as a legacy chain (see docs/record.md); nothing writes it.
 */
import { existsSync } from 'node:fs';
import type { RecordedHead } from '../../domain/audit-chain.js';
import { openDatabase } from './database.js';

export interface LegacyAuditTrail {
  /** Raw rows in seq order (validate them). */
  rows: Record<string, unknown>[];
  heads: RecordedHead[];
}

/** The legacy chain in `path`, or undefined when the file or its audit_log table is absent. */
export function readLegacyAuditTrail(path: string): LegacyAuditTrail | undefined {
  if (!existsSync(path)) return undefined;
  const db = openDatabase(path, { readonly: true });
  try {
    const has = (name: string) =>
      db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
    if (!has('audit_log')) return undefined;
    const rows = db
      .prepare(
        'SELECT seq, time, actor, action, subject, details, prev_hash, hash FROM audit_log ORDER BY seq',
      )
      .all() as Record<string, unknown>[];
    const heads = has('audit_heads')
      ? (db
          .prepare('SELECT seq, hash, recorded_at, reason FROM audit_heads ORDER BY id')
          .all() as RecordedHead[])
      : [];
    return { rows, heads };
  } finally {
    db.close();
  }
}
