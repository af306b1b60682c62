import { sql, type Kysely } from 'kysely';
import type { RecordDialect } from '../context.js';

/**
 * Release evidence (the ritual's results, sign-offs and decisions), shared by every host and console.
 *
 * - `release_check_results`: one row per check run, never rewritten; the current result of a step
 *   is its newest row for (release, environment). Each row names its target, who ran it and when.
 * - `release_signoffs`: one row per sign-off; a re-confirmation appends, an unconfirm stamps
 *   `revoked_at` on the active rows; the current sign-off is the newest row not revoked.
 * - `release_decisions`: one row per GO/NO-GO, with the audit head (seq, hash) it saw: its own
 *   `release.decision` audit row, appended in the same transaction.
 *
 * Embedded records written by earlier versions keep results and sign-offs in `release_results` and
 * `release_confirmations` (made by the old release store in the same file). Those rows are copied in
 * once, so an upgrade keeps the current release's evidence; the old tables are left as they were.
 * Old decisions (`release_runs`) are not copied: they stored no audit head.
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

  await id('release_signoffs')
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
    .createIndex('release_signoffs_step')
    .ifNotExists()
    .on('release_signoffs')
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

  if (!postgres) await copyLegacy(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function copyLegacy(db: Kysely<any>): Promise<void> {
  const found = await sql<{
    name: string;
  }>`select name from sqlite_master where type = 'table' and name in ('release_results', 'release_confirmations')`.execute(
    db,
  );
  const present = new Set(found.rows.map((row) => row.name));
  if (present.has('release_results')) {
    await sql`insert into release_check_results
        (release_id, env, target, step_id, outcome, summary, evidence, facts, ran_by, ran_at)
      select release_id, env, coalesce(json_extract(evidence, '$.target'), 'unknown target'), step_id,
        outcome, summary, evidence, facts, coalesce(json_extract(evidence, '$.by'), 'unknown'),
        coalesce(json_extract(evidence, '$.at'), '')
      from release_results
      where not exists (select 1 from release_check_results)`.execute(db);
  }
  if (present.has('release_confirmations')) {
    await sql`insert into release_signoffs (release_id, step_id, confirmed_by, at, note, forced)
      select release_id, step_id, "by", at, note, 0 from release_confirmations
      where not exists (select 1 from release_signoffs)
      order by at`.execute(db);
  }
}
