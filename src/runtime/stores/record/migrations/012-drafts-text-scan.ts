import { sql, type Kysely } from 'kysely';
import type { RecordDialect } from '../context.js';

/**
 * A covering index for the queue's text filter (`q`, `pattern`) on SQLite: the filter reads the three
 * lower-cased text columns of every draft, and without it each draft's whole row (with its JSON body)
 * is read. Over this index a filtered page and its count read only the index (at 100,000 drafts a
 * filter keystroke went from ~150 ms to ~10 ms). PostgreSQL plans these scans itself; it gets no index.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, dialect: RecordDialect): Promise<void> {
  if (dialect !== 'sqlite') return;
  await sql`create index if not exists drafts_text_scan on drafts (created_at, id, status, motion, email_lc, company_lc, subject_lc)`.execute(
    db,
  );
}
