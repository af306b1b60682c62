import { sql, type Kysely } from 'kysely';
import type { RecordDialect } from '../context.js';

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
  if (dialect === 'sqlite') {
    for (const event of ['UPDATE', 'DELETE'] as const) {
      await sql
        .raw(
          `CREATE TRIGGER IF NOT EXISTS audit_log_no_${event.toLowerCase()} BEFORE ${event} ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: ${event} is not allowed'); END`,
        )
        .execute(db);
    }
    return;
  }
  await sql
    .raw(
      `CREATE OR REPLACE FUNCTION caio_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP; END $$`,
    )
    .execute(db);
  for (const event of ['UPDATE', 'DELETE'] as const) {
    const name = `audit_log_no_${event.toLowerCase()}`;
    await sql.raw(`DROP TRIGGER IF EXISTS ${name} ON audit_log`).execute(db);
    await sql
      .raw(
        `CREATE TRIGGER ${name} BEFORE ${event} ON audit_log FOR EACH ROW EXECUTE FUNCTION caio_audit_append_only()`,
      )
      .execute(db);
  }
}
