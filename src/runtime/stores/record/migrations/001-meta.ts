import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { RecordDialect } from '../context.js';
import { RECORD_ID_KEY } from '../tables/meta.js';

/** The record's id is created with it: hosts compare it through Redis to tell whether they share one record. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, _dialect: RecordDialect): Promise<void> {
  await db.schema
    .createTable('record_meta')
    .ifNotExists()
    .addColumn('key', 'text', (col) => col.primaryKey())
    .addColumn('value', 'text', (col) => col.notNull())
    .execute();
  await db
    .insertInto('record_meta')
    .values({ key: RECORD_ID_KEY, value: `rec_${randomUUID()}` })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
}
