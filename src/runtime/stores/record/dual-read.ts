/**
 * Dual read during a cutover (SPEC 5, STATE_DUAL_READ_ENABLED): a host on the shared record
 * (DATABASE_URL) whose HIVE_DIR still holds the embedded record it was migrated from (same record id:
 * `caio migrate` made the shared record adopt it) looks up, on a miss, the embedded record and
 * backfills the shared one with what it finds: a fact written to the embedded record after the
 * migration (a suppression or an event that reached the old host in between) is found and copied on
 * first use. Set STATE_DUAL_READ_ENABLED=false once the cutover is stable.
 *
 * Lookups by key fall back: drafts by id, a batch (with its run, items and ledger rows), a batch run,
 * webhook events by id, leads, operators (by name or token), suppressions and address lookups (with
 * external sends and ledger rows). Pages and counts do not (they read the shared record only: run
 * `caio migrate` again to copy everything). The audit chain is never backfilled (it cannot be
 * spliced); `caio migrate` copies it whole. The embedded record is only read, never written.
 */
import { existsSync } from 'node:fs';
import { Kysely } from 'kysely';
import { databasePath, openDatabase, type SqliteDatabase } from '../sqlite/database.js';
import type { Executor, RecordDialect } from './context.js';
import { backfillRows, type RecordHandle } from './copy-record.js';
import type { Repos } from './record.js';
import type { RecordSchema } from './schema.js';
import { SqliteRecordDialect } from './sqlite-dialect.js';
import { RECORD_ID_KEY } from './tables/meta.js';

export interface DualReadSource {
  handle: RecordHandle;
  location: string;
  close(): Promise<void>;
}

/**
 * The embedded record in HIVE_DIR to fall back on, when it holds the same record as the shared one;
 * undefined otherwise (no caio.db, not a record, another record, or unreadable).
 */
export async function openDualReadSource(
  hiveDir: string,
  sharedId: string,
): Promise<DualReadSource | undefined> {
  const path = databasePath(hiveDir);
  if (!existsSync(path)) return undefined;
  let database: SqliteDatabase | undefined;
  try {
    database = openDatabase(path);
    const hasMeta = database
      .prepare("select 1 from sqlite_master where type = 'table' and name = 'record_meta'")
      .get();
    const row = hasMeta
      ? (database.prepare('select value from record_meta where key = ?').get(RECORD_ID_KEY) as
          { value: string } | undefined)
      : undefined;
    if (row?.value !== sharedId) {
      database.close();
      return undefined;
    }
    const kysely = new Kysely<RecordSchema>({ dialect: new SqliteRecordDialect(database) });
    return {
      handle: { dialect: 'sqlite', db: { kysely } },
      location: path,
      close: () => kysely.destroy(),
    };
  } catch {
    database?.close();
    return undefined;
  }
}

/**
 * Repositories that fall back on `source` for lookups that miss, backfilling through `exec` (the
 * shared record, or the open transaction the repositories belong to).
 */
export function withDualRead(
  repos: Repos,
  exec: Executor,
  dialect: RecordDialect,
  source: DualReadSource,
): Repos {
  const target: RecordHandle = { dialect, db: { kysely: exec } };
  const copy = (table: string, column: string, values: readonly unknown[]) =>
    backfillRows(source.handle, target, table, column, values).catch(() => 0);
  /** Miss -> copy -> read again (only when something was copied). */
  const retry = async <T>(
    found: T,
    missed: boolean,
    backfill: () => Promise<number>,
    again: () => Promise<T>,
  ): Promise<T> => {
    if (!missed) return found;
    return (await backfill()) > 0 ? again() : found;
  };

  return {
    ...repos,
    drafts: {
      ...repos.drafts,
      async getMany(ids) {
        const found = await repos.drafts.getMany(ids);
        const missing = ids.filter((id) => !found.has(id));
        if (missing.length === 0) return found;
        if ((await copy('drafts', 'id', missing)) === 0) return found;
        await repos.drafts.recount();
        for (const [id, draft] of await repos.drafts.getMany(missing)) found.set(id, draft);
        return found;
      },
    },
    batches: {
      ...repos.batches,
      async get(id) {
        const found = await repos.batches.get(id);
        return retry(
          found,
          found === undefined,
          async () => {
            const n = await copy('batches', 'id', [id]);
            if (n > 0) {
              await copy('batch_runs', 'batch_id', [id]);
              await copy('batch_items', 'batch_id', [id]);
              await copy('send_ledger', 'batch_id', [id]);
            }
            return n;
          },
          () => repos.batches.get(id),
        );
      },
      async run(batchId) {
        const found = await repos.batches.run(batchId);
        return retry(
          found,
          found === undefined,
          () => copy('batch_runs', 'batch_id', [batchId]),
          () => repos.batches.run(batchId),
        );
      },
    },
    webhookEvents: {
      ...repos.webhookEvents,
      async get(id) {
        const found = await repos.webhookEvents.get(id);
        return retry(
          found,
          found === undefined,
          () => copy('webhook_events', 'id', [id]),
          () => repos.webhookEvents.get(id),
        );
      },
    },
    leads: {
      ...repos.leads,
      async get(canonical) {
        const found = await repos.leads.get(canonical);
        return retry(
          found,
          found === undefined,
          () => copy('leads', 'canonical_email', [canonical]),
          () => repos.leads.get(canonical),
        );
      },
    },
    operators: {
      ...repos.operators,
      async get(name) {
        const found = await repos.operators.get(name);
        return retry(
          found,
          found === undefined,
          () => copy('operators', 'name_key', [name.toLowerCase()]),
          () => repos.operators.get(name),
        );
      },
      async byTokenDigest(digest) {
        const found = await repos.operators.byTokenDigest(digest);
        return retry(
          found,
          found === undefined,
          () => copy('operators', 'token_sha256', [digest]),
          () => repos.operators.byTokenDigest(digest),
        );
      },
    },
    addresses: {
      ...repos.addresses,
      async suppression(canonical) {
        const found = await repos.addresses.suppression(canonical);
        return retry(
          found,
          found === undefined,
          () => copy('address_suppressions', 'canonical_email', [canonical]),
          () => repos.addresses.suppression(canonical),
        );
      },
      async lookup(canonicals) {
        const found = await repos.addresses.lookup(canonicals);
        const unknown = [...new Set(canonicals)].filter(
          (c) => !found.suppressed.has(c) && !found.sent.has(c),
        );
        if (unknown.length === 0) return found;
        let copied = 0;
        for (let i = 0; i < unknown.length; i += 500) {
          const chunk = unknown.slice(i, i + 500);
          copied += await copy('address_suppressions', 'canonical_email', chunk);
          copied += await copy('external_sends', 'canonical_email', chunk);
          copied += await copy('send_ledger', 'canonical_email', chunk);
        }
        return copied > 0 ? repos.addresses.lookup(canonicals) : found;
      },
    },
  };
}
