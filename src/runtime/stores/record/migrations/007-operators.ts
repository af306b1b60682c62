import type { Kysely } from 'kysely';
import type { RecordDialect } from '../context.js';

/** Operators with roles; only the SHA-256 of each token is stored (unique: one lookup per request). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, _dialect: RecordDialect): Promise<void> {
  await db.schema
    .createTable('operators')
    .ifNotExists()
    .addColumn('name_key', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('role', 'text', (col) => col.notNull())
    .addColumn('token_sha256', 'text', (col) => col.notNull().unique())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('rotated_at', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('revoked_by', 'text')
    .execute();
}
