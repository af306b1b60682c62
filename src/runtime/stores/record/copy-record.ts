/**
 * Copies one record into another (`caio migrate`: the embedded SQLite record into the shared
 * PostgreSQL record; the dual-read backfill: a few rows by key). Table-driven: the tables, their
 * columns, primary keys and foreign keys are discovered by applying the record's migrations to an
 * empty in-memory SQLite database, so a table added by a later migration is copied without a change
 * here. See docs/record.md, "Migrating to a shared record".
 *
 * - Dependency order (foreign keys first), in batches, keyset-paged by primary key.
 * - Ids and sequence values are kept; PostgreSQL identity sequences are raised past the copied ids.
 * - Idempotent: `INSERT … ON CONFLICT DO NOTHING`; a row the target already has is `skipped`.
 * - Verified: every source row's key is present in the target afterwards, a row copied now reads back
 *   identical, a row of an append-only table (one with a `<table>_no_update` trigger, such as the
 *   audit chain and batches) that differs is an error, and the target's audit chain verifies and
 *   holds the source's head hash at the source's head seq.
 * - Derived tables (`draft_tallies`) are not copied but rebuilt on the target from what they count.
 */
import Database from 'better-sqlite3';
import { Kysely, sql, type RawBuilder } from 'kysely';
import { checkAuditRow, type AuditChainRow } from '../../domain/audit-chain.js';
import { errorMessage } from '../../errors.js';
import type { RecordDialect } from './context.js';
import { MIGRATIONS } from './migrations.js';
import type { RecordStore } from './record.js';
import type { RecordSchema } from './schema.js';
import { SqliteRecordDialect } from './sqlite-dialect.js';
import { AUDIT_TABLE, auditRowSchema } from './tables/audit.js';
import { RECORD_ID_KEY } from './tables/meta.js';

export interface RecordTable {
  name: string;
  /** Every column, in schema order. */
  columns: string[];
  /** Primary key columns, in key order (never empty: a table without one cannot be copied idempotently). */
  key: string[];
  /** Tables this one references by foreign key (copied before it). */
  dependsOn: string[];
  /** UPDATE is refused by a `<table>_no_update` trigger: a row that differs was tampered with. */
  appendOnly: boolean;
}

/**
 * Tables that only count or summarise other tables: not copied, rebuilt on the target after a copy
 * that inserted rows (the target's own rows count too).
 */
export const DERIVED_TABLES: Readonly<Record<string, (target: RecordStore) => Promise<void>>> = {
  draft_tallies: (target) => target.drafts.recount(),
};

let discovered: Promise<RecordTable[]> | undefined;

/** Every table of the record, in dependency order, as the migrations create them. */
export function recordTables(): Promise<RecordTable[]> {
  discovered ??= discoverTables();
  return discovered;
}

async function discoverTables(): Promise<RecordTable[]> {
  const memory = new Database(':memory:');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const kysely = new Kysely<any>({ dialect: new SqliteRecordDialect(memory) });
  try {
    for (const migration of MIGRATIONS) await migration.up(kysely, 'sqlite');
    const names = (
      memory
        .prepare(
          "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
        )
        .all() as { name: string }[]
    ).map((row) => row.name);
    const triggers = new Set(
      (
        memory.prepare("select name from sqlite_master where type = 'trigger'").all() as { name: string }[]
      ).map((row) => row.name),
    );
    const tables = names.map((name): RecordTable => {
      const info = memory.prepare(`pragma table_info(${quoteIdent(name)})`).all() as {
        name: string;
        pk: number;
      }[];
      const fks = memory.prepare(`pragma foreign_key_list(${quoteIdent(name)})`).all() as { table: string }[];
      const key = info
        .filter((column) => column.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((column) => column.name);
      if (key.length === 0) {
        throw new Error(
          `record table ${name} has no primary key: caio migrate cannot copy it idempotently (give it one in its migration)`,
        );
      }
      return {
        name,
        columns: info.map((column) => column.name),
        key,
        dependsOn: [...new Set(fks.map((fk) => fk.table).filter((table) => table !== name))],
        appendOnly: triggers.has(`${name}_no_update`),
      };
    });
    return dependencyOrder(tables);
  } finally {
    await kysely.destroy();
  }
}

/** Referenced tables first (record_meta leads); ties by name, so the order is stable. */
function dependencyOrder(tables: RecordTable[]): RecordTable[] {
  const byName = new Map(tables.map((table) => [table.name, table]));
  const ordered: RecordTable[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (table: RecordTable) => {
    const seen = state.get(table.name);
    if (seen === 'done') return;
    if (seen === 'visiting')
      throw new Error(`record tables reference each other in a cycle at ${table.name}`);
    state.set(table.name, 'visiting');
    for (const dependency of table.dependsOn) {
      const target = byName.get(dependency);
      if (target) visit(target);
    }
    state.set(table.name, 'done');
    ordered.push(table);
  };
  const meta = byName.get('record_meta');
  if (meta) visit(meta);
  for (const table of tables) visit(table);
  return ordered;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;
type Row = Record<string, unknown>;

/** A record or an open transaction on one: what the copy reads from and writes to. */
export interface RecordHandle {
  dialect: RecordDialect;
  db: { kysely: Kysely<RecordSchema> };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const dbOf = (store: RecordHandle): AnyDb => store.db.kysely as unknown as Kysely<any>;

/** A value as text, so a row read from SQLite compares equal to the same row read from PostgreSQL. */
function normalise(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array)
    return `hex:${Buffer.from(value).toString('hex')}`;
  if (typeof value === 'number' || typeof value === 'bigint') return String(Number(value));
  if (typeof value === 'boolean') return value ? '1' : '0';
  return String(value);
}

const keyOf = (table: RecordTable, row: Row): string =>
  JSON.stringify(table.key.map((column) => normalise(row[column])));

function sameRow(table: RecordTable, a: Row, b: Row): boolean {
  return table.columns.every((column) => normalise(a[column]) === normalise(b[column]));
}

const columnList = (columns: readonly string[]) => sql.join(columns.map((column) => sql.ref(column)));

/** `where` for a set of keys: `k in (…)` for one column, OR of ANDs for a composite key. */
function keysIn(table: RecordTable, rows: readonly Row[]): RawBuilder<unknown> {
  if (table.key.length === 1) {
    const column = table.key[0] as string;
    return sql`${sql.ref(column)} in (${sql.join(rows.map((row) => row[column]))})`;
  }
  return sql.join(
    rows.map(
      (row) =>
        sql`(${sql.join(
          table.key.map((column) => sql`${sql.ref(column)} = ${row[column]}`),
          sql` and `,
        )})`,
    ),
    sql` or `,
  );
}

async function readPage(
  db: AnyDb,
  table: RecordTable,
  after: Row | undefined,
  limit: number,
): Promise<Row[]> {
  const where =
    after === undefined
      ? sql``
      : sql`where (${columnList(table.key)}) > (${sql.join(table.key.map((column) => after[column]))})`;
  const result =
    await sql<Row>`select ${columnList(table.columns)} from ${sql.table(table.name)} ${where} order by ${columnList(table.key)} limit ${limit}`.execute(
      db,
    );
  return result.rows;
}

async function readKeys(db: AnyDb, table: RecordTable, rows: readonly Row[]): Promise<Map<string, Row>> {
  if (rows.length === 0) return new Map();
  const result =
    await sql<Row>`select ${columnList(table.columns)} from ${sql.table(table.name)} where ${keysIn(table, rows)}`.execute(
      db,
    );
  return new Map(result.rows.map((row) => [keyOf(table, row), row]));
}

async function countRows(db: AnyDb, table: string): Promise<number> {
  const result = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(db);
  return Number(result.rows[0]?.n ?? 0);
}

/** PostgreSQL identity or serial columns per table (none on SQLite: rowids follow the data). */
let pgSequences: Promise<Map<string, string[]>> | undefined;

function sequenceColumns(store: RecordHandle): Promise<Map<string, string[]>> {
  if (store.dialect !== 'postgres') return Promise.resolve(new Map());
  // The record's schema is the same on every PostgreSQL record of this version: read it once.
  pgSequences ??= readSequenceColumns(store).catch((error: unknown) => {
    pgSequences = undefined;
    throw error;
  });
  return pgSequences;
}

async function readSequenceColumns(store: RecordHandle): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  const result = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = current_schema() and (is_identity = 'YES' or column_default like 'nextval(%')`.execute(
    dbOf(store),
  );
  for (const row of result.rows)
    found.set(row.table_name, [...(found.get(row.table_name) ?? []), row.column_name]);
  return found;
}

/** Raise each identity sequence of `table` past the largest id in it (never lowers one). */
async function resetSequences(store: RecordHandle, table: string, columns: readonly string[]): Promise<void> {
  const db = dbOf(store);
  for (const column of columns) {
    const seq = await sql<{
      seq: string | null;
    }>`select pg_get_serial_sequence(${quoteIdent(table)}, ${column}) as seq`.execute(db);
    const name = seq.rows[0]?.seq;
    if (!name) continue;
    const max = await sql<{
      m: number | string;
    }>`select coalesce(max(${sql.ref(column)}), 0) as m from ${sql.table(table)}`.execute(db);
    const current = await sql<{
      last_value: number | string;
      is_called: boolean;
    }>`select last_value, is_called from ${sql.raw(name)}`.execute(db);
    const last = Number(current.rows[0]?.last_value ?? 1);
    const nextFromSequence = current.rows[0]?.is_called ? last + 1 : last;
    const next = Math.max(Number(max.rows[0]?.m ?? 0) + 1, nextFromSequence);
    await sql`select setval(${name}::regclass, ${next}, false)`.execute(db);
  }
}

/** Insert rows the target lacks; returns the keys actually inserted. */
async function insertMissing(
  target: RecordHandle,
  table: RecordTable,
  rows: readonly Row[],
  identity: boolean,
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const values = sql.join(
    rows.map((row) => sql`(${sql.join(table.columns.map((column) => row[column] ?? null))})`),
  );
  const override = identity && target.dialect === 'postgres' ? sql`overriding system value` : sql``;
  const result =
    await sql<Row>`insert into ${sql.table(table.name)} (${columnList(table.columns)}) ${override} values ${values} on conflict do nothing returning ${columnList(table.key)}`.execute(
      dbOf(target),
    );
  return new Set(result.rows.map((row) => keyOf(table, row)));
}

export interface TableCopy {
  /** Rows in the source. */
  source: number;
  /** Copied now (on a dry run: would be copied). */
  migrated: number;
  /** Already in the target. */
  skipped: number;
  /** Already in the target with other values (changed there since; the target's row is kept). */
  diverged: number;
  /** Source rows found in the target after the copy (0 on a dry run). */
  verified: number;
}

export interface CopyError {
  kind: string;
  key: string;
  message: string;
}

export interface CopyProgress {
  table: string;
  /** Source rows handled so far, over every table. */
  done: number;
  total: number;
}

export interface CopyRecordOptions {
  source: RecordStore;
  target: RecordStore;
  dryRun?: boolean;
  /** Rows per batch (default 500). */
  batchSize?: number;
  onProgress?: (progress: CopyProgress) => void;
}

export interface CopyRecordResult {
  tables: Record<string, TableCopy>;
  /** Derived tables rebuilt on the target. */
  rebuilt: string[];
  /** The id the target has after the copy (it adopts the source's id when it was empty). */
  recordId: string;
  /** The target was empty and took the source's record id. */
  adoptedId: boolean;
  errors: CopyError[];
}

/**
 * Copy every record table of `source` into `target`. Two non-empty records with different ids are
 * never merged (each has its own audit chain and ids): the copy is refused with a `records_differ`
 * error and nothing is written.
 */
export async function copyRecord(options: CopyRecordOptions): Promise<CopyRecordResult> {
  const { source, target } = options;
  const dryRun = options.dryRun ?? false;
  const batchSize = options.batchSize ?? 500;
  const tables = await recordTables();
  const copied = tables.filter((table) => !(table.name in DERIVED_TABLES));
  const result: CopyRecordResult = {
    tables: {},
    rebuilt: [],
    recordId: target.db.id,
    adoptedId: false,
    errors: [],
  };
  const fail = (kind: string, key: string, message: string) => result.errors.push({ kind, key, message });

  const sourceCounts = new Map<string, number>();
  for (const table of copied) sourceCounts.set(table.name, await countRows(dbOf(source), table.name));
  const holdsFacts = async (store: RecordStore, counts?: Map<string, number>) => {
    for (const table of copied) {
      if (table.name === 'record_meta') continue;
      const n = counts ? (counts.get(table.name) ?? 0) : await countRows(dbOf(store), table.name);
      if (n > 0) return true;
    }
    return false;
  };

  const sourceId = source.db.id;
  const targetId = (await target.meta.get(RECORD_ID_KEY)) ?? target.db.id;
  result.recordId = targetId;
  if (sourceId !== targetId) {
    if (!(await holdsFacts(source, sourceCounts))) {
      // An empty embedded record (e.g. a caio.db created beside a shared record): nothing to copy.
      for (const table of copied)
        result.tables[table.name] = { source: 0, migrated: 0, skipped: 0, diverged: 0, verified: 0 };
      return result;
    }
    if (await holdsFacts(target)) {
      fail(
        'records_differ',
        RECORD_ID_KEY,
        `the shared record already holds another record (${targetId}); the embedded record is ${sourceId}: two records are never merged (each has its own audit chain)`,
      );
      return result;
    }
    result.adoptedId = true;
    result.recordId = sourceId;
    if (!dryRun) await target.meta.set(RECORD_ID_KEY, sourceId);
  }

  const total = [...sourceCounts.values()].reduce((sum, n) => sum + n, 0);
  let done = 0;
  const sequences = dryRun ? new Map<string, string[]>() : await sequenceColumns(target);
  for (const table of copied) {
    const tally: TableCopy = {
      source: sourceCounts.get(table.name) ?? 0,
      migrated: 0,
      skipped: 0,
      diverged: 0,
      verified: 0,
    };
    result.tables[table.name] = tally;
    const identity = (sequences.get(table.name)?.length ?? 0) > 0;
    let after: Row | undefined;
    try {
      for (;;) {
        const page = await readPage(dbOf(source), table, after, batchSize);
        if (page.length === 0) break;
        after = page[page.length - 1];
        const before = dryRun ? await readKeys(dbOf(target), table, page) : new Map<string, Row>();
        const missing = dryRun ? [] : page;
        const inserted = dryRun ? new Set<string>() : await insertMissing(target, table, missing, identity);
        const present = dryRun ? before : await readKeys(dbOf(target), table, page);
        for (const row of page) {
          const key = keyOf(table, row);
          const there = present.get(key);
          if (dryRun) {
            if (!there) tally.migrated++;
            else {
              tally.skipped++;
              // The id row of a target that is about to adopt the source's id differs by design.
              const adopting = result.adoptedId && table.name === 'record_meta' && row.key === RECORD_ID_KEY;
              if (!adopting && !sameRow(table, row, there)) noteDivergence(table, tally, key, fail);
            }
            continue;
          }
          if (there) tally.verified++;
          if (!there) {
            fail('missing', `${table.name}/${key}`, 'not in the shared record after the copy');
          } else if (inserted.has(key)) {
            tally.migrated++;
            if (!sameRow(table, row, there))
              fail('differs', `${table.name}/${key}`, 'reads back with other values after the copy');
          } else {
            tally.skipped++;
            if (!sameRow(table, row, there)) noteDivergence(table, tally, key, fail);
          }
        }
        done += page.length;
        options.onProgress?.({ table: table.name, done, total });
        if (page.length < batchSize) break;
      }
      if (!dryRun && tally.verified < tally.source)
        fail(
          'count',
          table.name,
          `${tally.source} rows in the embedded record, ${tally.verified} of them in the shared record after the copy`,
        );
      if (!dryRun && tally.migrated > 0) {
        const columns = sequences.get(table.name);
        if (columns) await resetSequences(target, table.name, columns);
      }
    } catch (error) {
      fail('copy', table.name, errorMessage(error));
    }
  }

  const inserted = Object.values(result.tables).some((tally) => tally.migrated > 0);
  if (!dryRun && inserted) {
    for (const [name, rebuild] of Object.entries(DERIVED_TABLES)) {
      try {
        await rebuild(target);
        result.rebuilt.push(name);
      } catch (error) {
        fail('rebuild', name, errorMessage(error));
      }
    }
  }
  // A dry run copied nothing: only the target's own chain is checked.
  await verifyAuditChain(dryRun ? undefined : source, target, fail);
  return result;
}

function noteDivergence(
  table: RecordTable,
  tally: TableCopy,
  key: string,
  fail: (kind: string, key: string, message: string) => void,
): void {
  tally.diverged++;
  if (table.appendOnly)
    fail(
      'tampered',
      `${table.name}/${key}`,
      `differs between the embedded and the shared record, and ${table.name} is append-only`,
    );
}

/** The target's chain verifies from row 1 and holds the source's head (same seq, same hash). */
async function verifyAuditChain(
  source: RecordStore | undefined,
  target: RecordStore,
  fail: (kind: string, key: string, message: string) => void,
): Promise<void> {
  try {
    let previous: AuditChainRow | undefined;
    for await (const raw of target.audit.rows()) {
      const parsed = auditRowSchema.safeParse(raw);
      if (!parsed.success) {
        fail('audit', `${AUDIT_TABLE}/${String(raw.seq)}`, 'a row of the shared audit chain cannot be read');
        return;
      }
      const broken = checkAuditRow(parsed.data, previous);
      if (broken) {
        fail(
          'audit',
          `${AUDIT_TABLE}/${broken.seq}`,
          `the shared audit chain does not verify: ${broken.message}`,
        );
        return;
      }
      previous = parsed.data;
    }
    const head = await source?.audit.head();
    if (!head) return;
    const there = await target.audit.get(head.seq);
    if (!there)
      fail(
        'audit',
        `${AUDIT_TABLE}/${head.seq}`,
        `the embedded chain's head (row ${head.seq}) is not in the shared record`,
      );
    else if (there.hash !== head.hash)
      fail(
        'audit',
        `${AUDIT_TABLE}/${head.seq}`,
        `row ${head.seq} hashes to ${there.hash.slice(0, 12)}… in the shared record, ${head.hash.slice(0, 12)}… in the embedded one`,
      );
  } catch (error) {
    fail('audit', AUDIT_TABLE, errorMessage(error));
  }
}

/**
 * Dual read: copy the rows of `table` whose `column` is one of `values` from `source` into `target`
 * when the target lacks them (same ids; sequences raised). Returns how many rows were inserted.
 */
export async function backfillRows(
  source: RecordHandle,
  target: RecordHandle,
  tableName: string,
  column: string,
  values: readonly unknown[],
): Promise<number> {
  if (values.length === 0 || tableName in DERIVED_TABLES || tableName === AUDIT_TABLE) return 0;
  const table = (await recordTables()).find((candidate) => candidate.name === tableName);
  if (!table) return 0;
  // The source may be an embedded record of an older schema (dual read opens it without migrating):
  // read the columns it has; the ones it lacks are inserted as null.
  const columns = await columnsIn(source, table);
  const rows = (
    await sql<Row>`select ${columnList(columns)} from ${sql.table(table.name)} where ${sql.ref(column)} in (${sql.join(values)})`.execute(
      dbOf(source),
    )
  ).rows;
  if (rows.length === 0) return 0;
  const sequences = await sequenceColumns(target);
  const identity = sequences.get(table.name) ?? [];
  const inserted = await insertMissing(target, table, rows, identity.length > 0);
  if (inserted.size > 0 && identity.length > 0) await resetSequences(target, table.name, identity);
  return inserted.size;
}

/** `table`'s columns that the SQLite record `handle` has (all of them on PostgreSQL, always migrated). */
async function columnsIn(handle: RecordHandle, table: RecordTable): Promise<readonly string[]> {
  if (handle.dialect !== 'sqlite') return table.columns;
  const info = await sql<{ name: string }>`select name from pragma_table_info(${table.name})`.execute(
    dbOf(handle),
  );
  const present = new Set(info.rows.map((row) => row.name));
  return table.columns.filter((column) => present.has(column));
}
