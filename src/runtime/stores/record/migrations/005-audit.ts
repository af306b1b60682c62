import type { Kysely } from 'kysely';
import { appendOnly } from '../append-only.js';
import type { RecordDialect } from '../context.js';
import { AUDIT_APPEND_ONLY, AUDIT_TABLE } from '../tables/audit.js';

/** The audit chain: append-only, enforced by triggers (verify reports missing ones; it never repairs). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, dialect: RecordDialect): Promise<void> {
  await db.schema
    .createTable('audit_log')
    .ifNotExists()
    .addColumn('seq', dialect === 'postgres' ? 'bigint' : 'integer', (col) => col.primaryKey())
    .addColumn('time', 'text', (col) => col.notNull())
    .addColumn('actor', 'text', (col) => col.notNull())
    .addColumn('action', 'text', (col) => col.notNull())
    .addColumn('subject', 'text', (col) => col.notNull())
    .addColumn('details', 'text', (col) => col.notNull())
    .addColumn('prev_hash', 'text', (col) => col.notNull().unique())
    .addColumn('hash', 'text', (col) => col.notNull().unique())
    .execute();
  await appendOnly(db, dialect, AUDIT_TABLE, AUDIT_APPEND_ONLY);
}
