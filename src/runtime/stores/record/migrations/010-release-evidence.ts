import type { Kysely } from 'kysely';
import type { RecordDialect } from '../context.js';

/**
 * Release evidence (the ritual's results, sign-offs and decisions), shared by every host and console.
 *
 * - `release_check_results`: one row per check run, never rewritten; the current result of a step
 *   is its newest row for (release, environment). Each row names its target, who ran it and when.
 * - `release_confirmations`: one row per sign-off; a re-confirmation appends, an unconfirm stamps
 *   `revoked_at` on the active rows; the current sign-off is the newest row not revoked.
 * - `release_decisions`: one row per GO/NO-GO, with the audit head (seq, hash) it saw: its own
 *   `release.decision` audit row, appended in the same transaction.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, dialect: RecordDialect): Promise<void> {
  const postgres = dialect === 'postgres';
  const id = (table: string) =>
    db.schema
      .createTable(table)
      .ifNotExists()
      .addColumn('id', postgres ? 'bigint' : 'integer', (col) =>
        postgres ? col.primaryKey().generatedByDefaultAsIdentity() : col.primaryKey().autoIncrement(),
      );

  await id('release_check_results')
    .addColumn('release_id', 'text', (col) => col.notNull())
    .addColumn('env', 'text', (col) => col.notNull())
    .addColumn('target', 'text', (col) => col.notNull())
    .addColumn('step_id', 'text', (col) => col.notNull())
    .addColumn('outcome', 'text', (col) => col.notNull())
    .addColumn('summary', 'text', (col) => col.notNull())
    .addColumn('evidence', 'text', (col) => col.notNull())
    .addColumn('facts', 'text')
    .addColumn('ran_by', 'text', (col) => col.notNull())
    .addColumn('ran_at', 'text', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('release_check_results_step')
    .ifNotExists()
    .on('release_check_results')
    .columns(['release_id', 'env', 'step_id', 'id'])
    .execute();

  await id('release_confirmations')
    .addColumn('release_id', 'text', (col) => col.notNull())
    .addColumn('step_id', 'text', (col) => col.notNull())
    .addColumn('confirmed_by', 'text', (col) => col.notNull())
    .addColumn('at', 'text', (col) => col.notNull())
    .addColumn('note', 'text')
    .addColumn('forced', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('revoked_at', 'text')
    .addColumn('revoked_by', 'text')
    .execute();
  await db.schema
    .createIndex('release_confirmations_step')
    .ifNotExists()
    .on('release_confirmations')
    .columns(['release_id', 'step_id', 'id'])
    .execute();

  await id('release_decisions')
    .addColumn('release_id', 'text', (col) => col.notNull())
    .addColumn('env', 'text', (col) => col.notNull())
    .addColumn('target', 'text', (col) => col.notNull())
    .addColumn('actor', 'text', (col) => col.notNull())
    .addColumn('started_at', 'text', (col) => col.notNull())
    .addColumn('finished_at', 'text', (col) => col.notNull())
    .addColumn('decision', 'text', (col) => col.notNull())
    .addColumn('redis_required', 'integer', (col) => col.notNull())
    .addColumn('inngest_required', 'integer', (col) => col.notNull())
    .addColumn('reasons', 'text', (col) => col.notNull())
    .addColumn('audit_seq', postgres ? 'bigint' : 'integer', (col) => col.notNull())
    .addColumn('audit_hash', 'text', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('release_decisions_release')
    .ifNotExists()
    .on('release_decisions')
    .columns(['release_id', 'env', 'id'])
    .execute();
}
