import type { Kysely } from 'kysely';
import type { RecordDialect } from '../context.js';

/** The drafts tables (filled in by the drafts family's work). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(_db: Kysely<any>, _dialect: RecordDialect): Promise<void> {}
