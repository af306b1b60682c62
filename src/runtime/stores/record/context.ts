import type { Kysely } from 'kysely';
import type { RecordSchema } from './schema.js';

/** What every repository is built with: the dialect (for the few statements that differ) and the clock. */
export type RecordDialect = 'sqlite' | 'postgres';

export interface RepoContext {
  dialect: RecordDialect;
  now: () => number;
}

/** The database or an open transaction (a Kysely `Transaction` is a `Kysely`). */
export type Executor = Kysely<RecordSchema>;
