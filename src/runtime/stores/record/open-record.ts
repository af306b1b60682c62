/**
 * Opens the record: PostgreSQL when DATABASE_URL is set (shared by every host), else SQLite at
 * HIVE_DIR/caio.db (one host). Migrations run at open; a schema newer than this code is refused; an
 * unreachable or wrong DATABASE_URL is a configuration error naming the variable — never a silent
 * fallback to a local record.
 */
import { Kysely, PostgresDialect, sql, type PostgresPool, type PostgresPoolClient } from 'kysely';
import { resolve } from 'node:path';
import pg from 'pg';
import type { Config } from '../../config.js';
import { DependencyUnavailableError, UserError, asRecordUnavailable, errorMessage } from '../../errors.js';
import { maskUrl } from '../../mask.js';
import { databasePath, openDatabase, type SqliteDatabase } from '../sqlite/database.js';
import type { RecordDialect } from './context.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import type { RecordSchema } from './schema.js';
import { SqliteRecordDialect } from './sqlite-dialect.js';
import { RECORD_ID_KEY } from './tables/meta.js';

export interface RecordHealth {
  healthy: boolean;
  latencyMs: number | undefined;
  error: string | undefined;
}

export interface RecordDb {
  readonly dialect: RecordDialect;
  readonly kysely: Kysely<RecordSchema>;
  /** Created with the record; hosts sharing a Redis must share it. */
  readonly id: string;
  /** Where it is, without secrets: a file path or `postgres://host:port/db`. */
  readonly location: string;
  /**
   * SQLite only: the record's one connection, for code that still runs synchronous statements on
   * caio.db (never open a second connection on the file in this process). Undefined on PostgreSQL.
   */
  readonly sqlite: SqliteDatabase | undefined;
  health(): Promise<RecordHealth>;
  close(): Promise<void>;
}

export type RecordConfig = Pick<Config, 'HIVE_DIR'> & { DATABASE_URL?: string | undefined };

export interface OpenRecordOptions {
  /** Postgres pool size (default 10). */
  poolSize?: number;
  /** Connect timeout for PostgreSQL (default 5000 ms). */
  connectTimeoutMs?: number;
  /**
   * Read only (`caio audit verify`): no migration and no write of any kind — a read-only SQLite
   * connection (the file must exist), read-only PostgreSQL transactions.
   */
  readonly?: boolean;
}

const MIGRATION_LOCK_KEY = 7_243_000;
const INT8_OID = 20;

function newerSchemaError(location: string, found: number): UserError {
  return new UserError(
    `The record at ${location} has schema version ${found}, newer than this caio knows (${SCHEMA_VERSION})`,
    {
      code: 'record_schema_newer',
      nextStep: 'Run the same caio version as the other hosts (upgrade this one), then start again.',
    },
  );
}

async function migrateSqlite(db: Kysely<RecordSchema>, location: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await sql<{ user_version: number }>`pragma user_version`.execute(trx);
    const current = Number(row.rows[0]?.user_version ?? 0);
    if (current > SCHEMA_VERSION) throw newerSchemaError(location, current);
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      await migration.up(trx, 'sqlite');
    }
    if (current < SCHEMA_VERSION) await sql.raw(`pragma user_version = ${SCHEMA_VERSION}`).execute(trx);
  });
}

async function migratePostgres(db: Kysely<RecordSchema>, location: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`.execute(trx);
    await sql`create table if not exists caio_migrations (version integer primary key, name text not null, applied_at text not null)`.execute(
      trx,
    );
    const row = await sql<{ v: number | null }>`select max(version) as v from caio_migrations`.execute(trx);
    const current = Number(row.rows[0]?.v ?? 0);
    if (current > SCHEMA_VERSION) throw newerSchemaError(location, current);
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      await migration.up(trx, 'postgres');
      await sql`insert into caio_migrations (version, name, applied_at) values (${migration.version}, ${migration.name}, ${new Date().toISOString()})`.execute(
        trx,
      );
    }
  });
}

async function readRecordId(db: Kysely<RecordSchema>): Promise<string> {
  const row = await db
    .selectFrom('record_meta')
    .select('value')
    .where('key', '=', RECORD_ID_KEY)
    .executeTakeFirst();
  if (!row) throw new Error('the record has no id (record_meta is incomplete)');
  return row.value;
}

function postgresLocation(url: string): string {
  try {
    const parsed = new URL(url);
    return `postgres://${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname}`;
  } catch {
    return maskUrl(url);
  }
}

function unreachable(location: string, error: unknown): UserError {
  return new UserError(`Cannot use the record at DATABASE_URL (${location}): ${errorMessage(error)}`, {
    code: 'record_unreachable',
    nextStep:
      'Start PostgreSQL or correct DATABASE_URL (postgres://user:password@host:5432/database); unset it to use the embedded SQLite record on one host.',
    cause: error,
  });
}

/**
 * `caio validate --check-connections`: reach the PostgreSQL record at `url` without migrating it and
 * read its schema version (0 when it has no caio tables yet). Throws the driver's error.
 */
export async function probePostgresRecord(
  url: string,
  timeoutMs = 3000,
): Promise<{ location: string; latencyMs: number; schemaVersion: number }> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  // A server that goes away mid-probe reports through the pending call; unheard, the 'error' event
  // would be an uncaught exception instead of the probe's failure.
  client.on('error', () => {});
  const started = performance.now();
  try {
    await client.connect();
    const table = await client.query<{ found: string | null }>(
      `select to_regclass('caio_migrations') as found`,
    );
    let schemaVersion = 0;
    if (table.rows[0]?.found) {
      const row = await client.query<{ v: number | null }>('select max(version) as v from caio_migrations');
      schemaVersion = Number(row.rows[0]?.v ?? 0);
    }
    return { location: postgresLocation(url), latencyMs: performance.now() - started, schemaVersion };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export { postgresLocation, SCHEMA_VERSION };

async function probe(db: Kysely<RecordSchema>): Promise<RecordHealth> {
  const started = performance.now();
  try {
    await sql`select 1`.execute(db);
    return { healthy: true, latencyMs: performance.now() - started, error: undefined };
  } catch (error) {
    return { healthy: false, latencyMs: undefined, error: errorMessage(error) };
  }
}

export async function openRecord(config: RecordConfig, options: OpenRecordOptions = {}): Promise<RecordDb> {
  if (config.DATABASE_URL) return openPostgres(config.DATABASE_URL, options);
  if (options.readonly) return openSqliteOnce(resolve(databasePath(config.HIVE_DIR)), true);
  return openSqlite(databasePath(config.HIVE_DIR));
}

/**
 * One connection per SQLite file per process, shared by every opener in it (reference counted): two
 * connections of one process on one file would deadlock, since a synchronous busy-wait on one blocks
 * the event loop that the other's open transaction needs to finish.
 */
const sqliteOpen = new Map<string, { db: Promise<RecordDb>; refs: number }>();

async function openSqlite(path: string): Promise<RecordDb> {
  const key = resolve(path);
  let entry = sqliteOpen.get(key);
  if (!entry) {
    const opening = openSqliteOnce(key);
    entry = { db: opening, refs: 0 };
    sqliteOpen.set(key, entry);
    opening.catch(() => sqliteOpen.delete(key));
  }
  entry.refs += 1;
  const shared = await entry.db;
  let closed = false;
  const current = entry;
  return {
    ...shared,
    health: shared.health,
    async close() {
      if (closed) return;
      closed = true;
      current.refs -= 1;
      if (current.refs > 0) return;
      sqliteOpen.delete(key);
      await shared.close();
    },
  };
}

/** `x REGEXP p` on SQLite, as PostgreSQL's `~*`: case-insensitive; compiled patterns are cached. */
function registerRegexp(database: SqliteDatabase): void {
  const compiled = new Map<string, RegExp>();
  database.function('regexp', { deterministic: true }, (pattern: unknown, value: unknown) => {
    if (typeof pattern !== 'string' || typeof value !== 'string') return 0;
    let regex = compiled.get(pattern);
    if (!regex) {
      regex = new RegExp(pattern, 'i');
      if (compiled.size >= 100) compiled.clear();
      compiled.set(pattern, regex);
    }
    return regex.test(value) ? 1 : 0;
  });
}

async function openSqliteOnce(path: string, readonly = false): Promise<RecordDb> {
  const database = openDatabase(path, { readonly });
  // Up to 64 MiB of page cache (SQLite's default is 2 MiB): at 100,000 drafts the record's indexes
  // outgrow 2 MiB, and every write then re-reads index pages from the OS (an import of 100,000 lines
  // ran ~20% faster with it, measured A/B). Pages are allocated as used, so a small record stays small.
  database.pragma('cache_size = -65536');
  registerRegexp(database);
  const kysely = new Kysely<RecordSchema>({ dialect: new SqliteRecordDialect(database) });
  try {
    if (readonly) {
      const row = await sql<{ user_version: number }>`pragma user_version`.execute(kysely);
      const found = Number(row.rows[0]?.user_version ?? 0);
      if (found > SCHEMA_VERSION) throw newerSchemaError(path, found);
    } else await migrateSqlite(kysely, path);
    const id = await readRecordId(kysely);
    return {
      dialect: 'sqlite',
      kysely,
      id,
      location: path,
      sqlite: database,
      health: () => probe(kysely),
      close: () => kysely.destroy(),
    };
  } catch (error) {
    await kysely.destroy();
    throw error;
  }
}

/**
 * The pool as Kysely sees it, with every failure that means PostgreSQL cannot be reached (refused,
 * reset, shut down, restarting) turned into a DependencyUnavailableError naming the record: callers
 * answer 503 and retry, and the pool reconnects on its own once the server is back.
 */
function outagesAsUnavailable(pool: pg.Pool): PostgresPool {
  const rethrow = (error: unknown): never => {
    throw asRecordUnavailable(error);
  };
  // A checked-out client whose server goes away emits 'error' between queries: the next query on it
  // fails (and the pool drops it on release); unheard, the event would crash the process.
  const heard = new WeakSet<pg.PoolClient>();
  return {
    async connect() {
      const client = await pool.connect().catch(rethrow);
      if (!heard.has(client)) {
        heard.add(client);
        client.on('error', () => {});
      }
      const query = ((...args: unknown[]) => {
        const result = (client.query as (...a: unknown[]) => unknown)(...args);
        return result instanceof Promise ? result.catch(rethrow) : result;
      }) as PostgresPoolClient['query'];
      return { query, release: (destroy?: boolean) => client.release(destroy) };
    },
    end: () => pool.end(),
  };
}

async function openPostgres(url: string, options: OpenRecordOptions): Promise<RecordDb> {
  const location = postgresLocation(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    ...(options.readonly ? { options: '-c default_transaction_read_only=on' } : {}),
    // COUNT(*) and BIGINT columns come back as numbers, as on SQLite.
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === INT8_OID
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its server must not crash the process: the next query reports it.
  pool.on('error', () => {});
  const kysely = new Kysely<RecordSchema>({
    dialect: new PostgresDialect({ pool: outagesAsUnavailable(pool) }),
  });
  try {
    await sql`select 1`.execute(kysely);
  } catch (error) {
    await kysely.destroy();
    throw unreachable(location, error);
  }
  try {
    if (!options.readonly) await migratePostgres(kysely, location);
    const id = await readRecordId(kysely);
    return {
      dialect: 'postgres',
      kysely,
      id,
      location,
      sqlite: undefined,
      health: () => probe(kysely),
      close: () => kysely.destroy(),
    };
  } catch (error) {
    await kysely.destroy();
    if (error instanceof UserError && !(error instanceof DependencyUnavailableError)) throw error;
    throw unreachable(location, error);
  }
}
