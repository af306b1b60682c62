import { sql, type Kysely } from 'kysely';
import { appendOnly } from '../append-only.js';
import type { RecordDialect } from '../context.js';

/**
 * The gatekeeper family: batches (immutable: UPDATE and DELETE refused by triggers), their runs and
 * per-item state, the send ledger, suppressions, external sends and the ramp's history.
 *
 * Embedded records written by earlier versions hold the same facts in `sent_log`, `sent_addresses`,
 * `suppressions` and `ramp_events` (created by the old sent log). The new tables have new names, and
 * those rows are copied in here once, so an upgrade never makes a suppressed or sent address sendable.
 * The old tables are left as they were (nothing reads them any more).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, dialect: RecordDialect): Promise<void> {
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer';

  await db.schema
    .createTable('address_suppressions')
    .ifNotExists()
    .addColumn('canonical_email', 'text', (col) => col.primaryKey())
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('at', 'text', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('external_sends')
    .ifNotExists()
    .addColumn('canonical_email', 'text', (col) => col.primaryKey())
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('at', 'text', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('send_ledger')
    .ifNotExists()
    .addColumn('draft_id', 'text', (col) => col.primaryKey())
    .addColumn('batch_id', 'text', (col) => col.notNull())
    .addColumn('canonical_email', 'text', (col) => col.notNull())
    .addColumn('email', 'text', (col) => col.notNull())
    .addColumn('subject', 'text', (col) => col.notNull())
    .addColumn('body', 'text', (col) => col.notNull())
    .addColumn('mode', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) =>
      col.notNull().check(sql`status in ('intent', 'sent', 'failed', 'unknown')`),
    )
    .addColumn('provider_id', 'text')
    .addColumn('detail', 'text')
    .addColumn('day', 'text', (col) => col.notNull())
    .addColumn('host', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute();
  // One live (or possibly live) send per address, across every host: the database refuses a second.
  await sql
    .raw(
      `CREATE UNIQUE INDEX IF NOT EXISTS send_ledger_one_live_send_per_address ON send_ledger (canonical_email) WHERE status IN ('intent', 'sent', 'unknown') AND mode <> 'log-only'`,
    )
    .execute(db);
  await sql.raw('CREATE INDEX IF NOT EXISTS send_ledger_batch ON send_ledger (batch_id)').execute(db);
  await sql.raw('CREATE INDEX IF NOT EXISTS send_ledger_day ON send_ledger (day, mode)').execute(db);

  await db.schema
    .createTable('batches')
    .ifNotExists()
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('hash', 'text', (col) => col.notNull())
    .addColumn('mode', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('expires_at', 'text', (col) => col.notNull())
    .addColumn('previewed_by', 'text', (col) => col.notNull())
    .addColumn('item_count', 'integer', (col) => col.notNull())
    .addColumn('excluded_count', 'integer', (col) => col.notNull())
    .addColumn('batch', 'text', (col) => col.notNull())
    .execute();
  await sql.raw('CREATE INDEX IF NOT EXISTS batches_created ON batches (created_at)').execute(db);

  await db.schema
    .createTable('batch_runs')
    .ifNotExists()
    .addColumn('batch_id', 'text', (col) => col.primaryKey())
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('executing', 'executed')`))
    .addColumn('executed_by', 'text', (col) => col.notNull())
    .addColumn('started_at', 'text', (col) => col.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('resumes', 'integer', (col) => col.notNull())
    .addColumn('counts', 'text', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('batch_items')
    .ifNotExists()
    .addColumn('batch_id', 'text', (col) => col.notNull())
    .addColumn('position', 'integer', (col) => col.notNull())
    .addColumn('draft_id', 'text', (col) => col.notNull())
    .addColumn('canonical_email', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) =>
      col.notNull().check(sql`status in ('pending', 'sent', 'failed', 'skipped', 'unknown')`),
    )
    .addColumn('detail', 'text')
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('batch_items_pk', ['batch_id', 'draft_id'])
    .execute();

  await db.schema
    .createTable('ramp_history')
    .ifNotExists()
    .addColumn('seq', bigint, (col) =>
      dialect === 'postgres'
        ? col.primaryKey().generatedAlwaysAsIdentity()
        : col.primaryKey().autoIncrement(),
    )
    .addColumn('kind', 'text', (col) => col.notNull().check(sql`kind in ('graduation', 'incident')`))
    .addColumn('tier', 'integer')
    .addColumn('day', 'text', (col) => col.notNull())
    .addColumn('at', 'text', (col) => col.notNull())
    .addColumn('actor', 'text', (col) => col.notNull())
    .addColumn('note', 'text')
    .execute();
  await sql.raw('CREATE INDEX IF NOT EXISTS ramp_history_day ON ramp_history (kind, day)').execute(db);

  await appendOnly(db, dialect, 'batches', {
    message: 'batches are immutable',
    functionName: 'caio_batches_immutable',
  });
  if (dialect === 'sqlite') await copyLegacySqlite(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function copyLegacySqlite(db: Kysely<any>): Promise<void> {
  const tables = await sql<{
    name: string;
  }>`select name from sqlite_master where type = 'table' and name in ('sent_log', 'sent_addresses', 'suppressions', 'ramp_events')`.execute(
    db,
  );
  const present = new Set(tables.rows.map((row) => row.name));
  if (present.has('suppressions')) {
    await sql`insert or ignore into address_suppressions (canonical_email, reason, source, at)
      select canonical_email, reason, source, at from suppressions`.execute(db);
  }
  if (present.has('sent_addresses')) {
    await sql`insert or ignore into external_sends (canonical_email, source, at)
      select canonical_email, source, first_sent_at from sent_addresses`.execute(db);
  }
  if (present.has('sent_log')) {
    await sql`insert or ignore into send_ledger (draft_id, batch_id, canonical_email, email, subject, body, mode,
        status, provider_id, detail, day, host, created_at, updated_at)
      select draft_id, batch_id, canonical_email, email, subject, body, mode, status, provider_id, detail, day,
        null, created_at, updated_at from sent_log`.execute(db);
  }
  if (present.has('ramp_events')) {
    await sql`insert into ramp_history (kind, tier, day, at, actor, note)
      select kind, tier, day, at, actor, note from ramp_events order by seq`.execute(db);
  }
}
