import type { Kysely } from 'kysely';
import { appendOnly } from '../append-only.js';
import type { RecordDialect } from '../context.js';

/**
 * Recorded heads of the audit chain: each release decision stores the head it saw, and verify checks
 * the chain against every one, so a cut tail or an emptied table fails. Append-only like the chain.
 * An embedded record written by an earlier caio may already hold this table (same columns, same
 * trigger names): it is kept as it is, rows included.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, dialect: RecordDialect): Promise<void> {
  await db.schema
    .createTable('audit_heads')
    .ifNotExists()
    .addColumn('id', dialect === 'postgres' ? 'bigint' : 'integer', (col) =>
      dialect === 'postgres' ? col.primaryKey().generatedAlwaysAsIdentity() : col.primaryKey(),
    )
    .addColumn('seq', dialect === 'postgres' ? 'bigint' : 'integer', (col) => col.notNull())
    .addColumn('hash', 'text', (col) => col.notNull())
    .addColumn('recorded_at', 'text', (col) => col.notNull())
    .addColumn('reason', 'text', (col) => col.notNull())
    .execute();
  await appendOnly(db, dialect, 'audit_heads');
}
