import { sql, type Kysely } from 'kysely';
import type { RecordDialect } from '../context.js';

/**
 * Intake: webhook events and leads. `webhook_events` keeps the name and columns of the table that
 * earlier versions created in HIVE_DIR/caio.db, so an existing embedded record keeps its events
 * (`if not exists` leaves that table as it is; it already has this shape). The unique
 * (source, idempotency_key) index deduplicates a delivery across every host; on SQLite, migration 13
 * replaces it with a hash index (013-webhook-key-hash.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, dialect: RecordDialect): Promise<void> {
  const postgres = dialect === 'postgres';
  await db.schema
    .createTable('webhook_events')
    .ifNotExists()
    .addColumn('id', postgres ? 'bigint' : 'integer', (col) =>
      postgres ? col.primaryKey().generatedByDefaultAsIdentity() : col.primaryKey().autoIncrement(),
    )
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('idempotency_key', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) =>
      col.notNull().check(sql`status in ('stored', 'processed', 'quarantined')`),
    )
    .addColumn('received_at', 'text', (col) => col.notNull())
    .addColumn('processed_at', 'text')
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('payload', postgres ? 'bytea' : 'blob', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('webhook_events_key')
    .ifNotExists()
    .unique()
    .on('webhook_events')
    .columns(['source', 'idempotency_key'])
    .execute();
  await db.schema
    .createIndex('webhook_events_status')
    .ifNotExists()
    .on('webhook_events')
    .columns(['status', 'id'])
    .execute();
  await db.schema
    .createIndex('webhook_events_source')
    .ifNotExists()
    .on('webhook_events')
    .columns(['source', 'id'])
    .execute();

  await db.schema
    .createTable('leads')
    .ifNotExists()
    .addColumn('canonical_email', 'text', (col) => col.primaryKey())
    .addColumn('email', 'text', (col) => col.notNull())
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('company', 'text')
    .addColumn('title', 'text')
    .addColumn('segment', 'text')
    .addColumn('tier', 'text')
    .addColumn('linkedin_url', 'text')
    .addColumn('website', 'text')
    // Comma-separated, in order of first appearance: `rb2b`, `clay`.
    .addColumn('sources', 'text', (col) => col.notNull())
    .addColumn('first_seen_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute();
}
