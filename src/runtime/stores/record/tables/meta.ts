/** The record's own facts: its id (created with it, registered in Redis so hosts can tell whether they share one record). */
import type { Executor, RepoContext } from '../context.js';

export interface MetaTables {
  record_meta: { key: string; value: string };
}

export const RECORD_ID_KEY = 'record_id';

export function createMetaRepo(exec: Executor, _ctx: RepoContext) {
  return {
    async get(key: string): Promise<string | undefined> {
      const row = await exec
        .selectFrom('record_meta')
        .select('value')
        .where('key', '=', key)
        .executeTakeFirst();
      return row?.value;
    },
    async set(key: string, value: string): Promise<void> {
      await exec
        .insertInto('record_meta')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute();
    },
  };
}
export type MetaRepo = ReturnType<typeof createMetaRepo>;
