import { sql, type Kysely } from 'kysely';
import type { RecordDialect } from '../context.js';

/**
 * Drafts with their decisions: typed, indexed columns for what is queried (status, motion, address,
 * lower-cased search text, age, decider), the whole draft as JSON, and a version for compare-and-set.
 * At most one active draft (pending, approved, batched, sent) per canonical address: a unique partial
 * index, so two hosts importing the same person at once cannot both queue them. `draft_tallies` keeps
 * counts per status and motion and a change counter, so a page's total and the console's change token
 * never scan the table.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, dialect: RecordDialect): Promise<void> {
  const int = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('drafts')
    .ifNotExists()
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('motion', 'text', (col) => col.notNull())
    .addColumn('canonical_email', 'text', (col) => col.notNull())
    .addColumn('email_lc', 'text', (col) => col.notNull())
    .addColumn('company_lc', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('subject_lc', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('batch_id', 'text')
    .addColumn('escalated_at', 'text')
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addColumn('version', int, (col) => col.notNull())
    .addColumn('draft', 'text', (col) => col.notNull())
    .execute();
  const indexes = [
    'create index if not exists drafts_status_age on drafts (status, created_at, id)',
    'create index if not exists drafts_motion_status_age on drafts (motion, status, created_at, id)',
    'create index if not exists drafts_age on drafts (created_at, id)',
    'create index if not exists drafts_decider on drafts (decided_by, decided_at)',
    'create index if not exists drafts_decided_at on drafts (decided_at)',
    'create index if not exists drafts_batch on drafts (batch_id)',
    'create index if not exists drafts_email on drafts (canonical_email)',
    "create unique index if not exists drafts_active_email on drafts (canonical_email) where status in ('pending', 'approved', 'batched', 'sent')",
  ];
  for (const statement of indexes) await sql.raw(statement).execute(db);
  await db.schema
    .createTable('draft_tallies')
    .ifNotExists()
    .addColumn('key', 'text', (col) => col.primaryKey())
    .addColumn('n', int, (col) => col.notNull())
    .execute();
}
