/**
 * Append-only tables (the audit chain, its recorded heads, immutable batches): UPDATE and DELETE are
 * refused by triggers, on SQLite and PostgreSQL alike. Every migration that makes a table append-only
 * calls `appendOnly`; `missingAppendOnlyTriggers` is what verify reads (it reports, never repairs).
 */
import { sql, type Kysely } from 'kysely';
import type { RecordDialect } from './context.js';

export interface AppendOnlyOptions {
  /** The refusal, followed by `: UPDATE is not allowed` (default `<table> is append-only`). */
  message?: string;
  /** PostgreSQL trigger function (default `caio_<table>_append_only`). */
  functionName?: string;
}

/** The trigger names of an append-only table: `<table>_no_update`, `<table>_no_delete`. */
export function appendOnlyTriggerNames(table: string): [string, string] {
  return [`${table}_no_update`, `${table}_no_delete`];
}

/** Create (idempotently) the triggers that refuse UPDATE and DELETE on `table`. */
export async function appendOnly(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  dialect: RecordDialect,
  table: string,
  options: AppendOnlyOptions = {},
): Promise<void> {
  const message = options.message ?? `${table} is append-only`;
  if (dialect === 'sqlite') {
    for (const event of ['UPDATE', 'DELETE'] as const) {
      await sql
        .raw(
          `CREATE TRIGGER IF NOT EXISTS ${table}_no_${event.toLowerCase()} BEFORE ${event} ON ${table} BEGIN SELECT RAISE(ABORT, '${message}: ${event} is not allowed'); END`,
        )
        .execute(db);
    }
    return;
  }
  const fn = options.functionName ?? `caio_${table}_append_only`;
  await sql
    .raw(
      `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION '${message}: % is not allowed', TG_OP; END $$`,
    )
    .execute(db);
  for (const event of ['UPDATE', 'DELETE'] as const) {
    const name = `${table}_no_${event.toLowerCase()}`;
    await sql.raw(`DROP TRIGGER IF EXISTS ${name} ON ${table}`).execute(db);
    await sql
      .raw(`CREATE TRIGGER ${name} BEFORE ${event} ON ${table} FOR EACH ROW EXECUTE FUNCTION ${fn}()`)
      .execute(db);
  }
}

/** Is `table` there, and which of its append-only triggers are missing? (Read only.) */
export async function appendOnlyState(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  dialect: RecordDialect,
  table: string,
): Promise<{ table: boolean; missingTriggers: string[] }> {
  const expected = appendOnlyTriggerNames(table);
  if (dialect === 'sqlite') {
    const found = await sql<{
      n: number;
    }>`select count(*) as n from sqlite_master where type = 'table' and name = ${table}`.execute(db);
    const triggers = await sql<{
      name: string;
    }>`select name from sqlite_master where type = 'trigger' and tbl_name = ${table}`.execute(db);
    const present = new Set(triggers.rows.map((row) => row.name));
    return {
      table: Number(found.rows[0]?.n ?? 0) > 0,
      missingTriggers: expected.filter((name) => !present.has(name)),
    };
  }
  const found = await sql<{
    n: number;
  }>`select count(*)::int as n from information_schema.tables where table_schema = current_schema() and table_name = ${table}`.execute(
    db,
  );
  const triggers = await sql<{
    name: string;
  }>`select tgname as name from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace where c.relname = ${table} and n.nspname = current_schema() and not t.tgisinternal`.execute(
    db,
  );
  const present = new Set(triggers.rows.map((row) => row.name));
  return {
    table: Number(found.rows[0]?.n ?? 0) > 0,
    missingTriggers: expected.filter((name) => !present.has(name)),
  };
}
