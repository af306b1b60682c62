import { sql, type Kysely } from 'kysely';
import type { RecordDialect } from '../context.js';
import { webhookKeyHash } from '../tables/intake.js';

/**
 * `webhook_events.key_hash`: 48 bits of the SHA-256 of (source, idempotency key), a safe integer.
 *
 * On SQLite it replaces the unique (source, idempotency_key) index as the way to a delivery's key.
 * Idempotency keys are body digests or event ids, so each new row landed on its own page of that
 * wide text index, and every commit rewrote one index page per row into the WAL: the largest single
 * cost of webhook intake (about 40% of a durable insert). An index of 6-byte integers holds several
 * times more keys per page, so a commit dirties far fewer pages. It is not unique: the insert checks
 * the full (source, key) of any row with the same hash (`not exists`) inside its `BEGIN IMMEDIATE`
 * transaction, and SQLite has one writer at a time, so a key is stored once however many processes
 * share the file, and a hash collision costs one more comparison, never a lost delivery.
 *
 * PostgreSQL keeps its unique index (concurrent writers need it, and the index's cost is the server's,
 * not the event loop's) and never reads the column: new rows fill it, older rows keep null, and there
 * is no backfill there (an UPDATE of every row would hold the table's lock for the whole migration,
 * refusing every host's webhooks meanwhile). On SQLite every row needs its hash: existing rows are
 * filled here (100,000 in ~0.7 s), and a trigger refuses a row without one (a process of an older
 * caio still running on the file fails its intake, unacknowledged, until it is restarted).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, dialect: RecordDialect): Promise<void> {
  const postgres = dialect === 'postgres';
  await db.schema
    .alterTable('webhook_events')
    .addColumn('key_hash', postgres ? 'bigint' : 'integer')
    .execute();
  if (postgres) return;
  // Existing rows, in pages by id.
  const PAGE = 1000;
  for (let after = 0; ;) {
    const rows = (await db
      .selectFrom('webhook_events')
      .select(['id', 'source', 'idempotency_key'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute()) as { id: number; source: string; idempotency_key: string }[];
    if (rows.length === 0) break;
    for (const row of rows) {
      await db
        .updateTable('webhook_events')
        .set({ key_hash: webhookKeyHash(row.source, row.idempotency_key) })
        .where('id', '=', row.id)
        .execute();
    }
    after = Number(rows[rows.length - 1]?.id);
  }
  await sql`create index if not exists webhook_events_key_hash on webhook_events (key_hash)`.execute(db);
  await sql`drop index if exists webhook_events_key`.execute(db);
  await sql`create trigger if not exists webhook_events_key_hash_set before insert on webhook_events
    when new.key_hash is null
    begin select raise(abort, 'webhook_events.key_hash is required (a process of an older caio? restart it)'); end`.execute(
    db,
  );
}
