/**
 * Run one suite against both records: SQLite in a temp folder and PostgreSQL in a private database of
 * the run's test server. `open()` gives a fresh, migrated record each call (a new file / a new database);
 * everything opened is closed and dropped after the suite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe } from 'vitest';
import { createRecordStore, type RecordStore } from '../../src/runtime/stores/record/record.js';
import { createTestDatabase, sharedTestPostgresUrl } from './postgres-server.js';

export type RecordKind = 'sqlite' | 'postgres';

export interface OpenedRecord {
  record: RecordStore;
  /** The config that opens this same record again (another "process" or "host"). */
  config: { HIVE_DIR: string; DATABASE_URL?: string };
}

export interface RecordSuite {
  kind: RecordKind;
  /** A fresh, empty record. */
  open(options?: { now?: () => number }): Promise<OpenedRecord>;
  /** Another handle on a record opened before (as a second process would). */
  reopen(config: OpenedRecord['config'], options?: { now?: () => number }): Promise<RecordStore>;
}

export const POSTGRES_FOR_TESTS = sharedTestPostgresUrl() !== undefined;

export function describeRecords(name: string, body: (suite: RecordSuite) => void): void {
  for (const kind of ['sqlite', 'postgres'] as const) {
    const run = kind === 'postgres' && !POSTGRES_FOR_TESTS ? describe.skip : describe;
    run(`${name} [${kind}]`, () => {
      const cleanups: (() => Promise<void> | void)[] = [];
      afterAll(async () => {
        for (const cleanup of cleanups.reverse()) await cleanup();
      });
      const reopen: RecordSuite['reopen'] = async (config, options = {}) => {
        const record = await createRecordStore(config, options);
        cleanups.push(() => record.close());
        return record;
      };
      body({
        kind,
        reopen,
        async open(options = {}) {
          const dir = mkdtempSync(join(tmpdir(), 'caio-record-'));
          cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
          const config: OpenedRecord['config'] = { HIVE_DIR: dir };
          if (kind === 'postgres') {
            const database = await createTestDatabase();
            cleanups.push(() => database.drop());
            config.DATABASE_URL = database.url;
          }
          return { record: await reopen(config, options), config };
        },
      });
    });
  }
}
