/**
 * The embedded record's COMMIT is durable before a transaction resolves, with the WAL's fsync off the
 * event loop (sqlite-dialect.ts): the transaction commits with synchronous=NORMAL, then waits for an
 * fdatasync of the WAL; everything outside a Kysely transaction keeps synchronous=FULL.
 */
import Database from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteRecordDialect, syncFile } from '../../../src/runtime/stores/record/sqlite-dialect.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function open(syncWal: (path: string) => Promise<void>, memory = false, checkpointerAfter = 0) {
  const dir = mkdtempSync(join(tmpdir(), 'caio-commit-sync-'));
  dirs.push(dir);
  const path = memory ? ':memory:' : join(dir, 'caio.db');
  const db = new Database(path);
  if (!memory) db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('create table t (id integer primary key, v text)');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const kysely = new Kysely<any>({ dialect: new SqliteRecordDialect(db, { syncWal, checkpointerAfter }) });
  return { db, kysely, path };
}

const synchronous = (db: Database.Database) => db.pragma('synchronous', { simple: true });

describe('SQLite record commit', () => {
  it('resolves a transaction only after the WAL is synced, and restores synchronous=FULL', async () => {
    const synced: string[] = [];
    let release!: () => void;
    const { db, kysely, path } = open(
      (wal) =>
        new Promise<void>((resolve) => {
          synced.push(wal);
          release = resolve;
        }),
    );
    let settled = false;
    const done = kysely
      .transaction()
      .execute((trx) => sql`insert into t (v) values ('a')`.execute(trx))
      .then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Committed (another reader sees the row) but not yet acknowledged: the sync is pending.
    expect(synced).toEqual([`${path}-wal`]);
    expect(settled).toBe(false);
    expect(db.prepare('select count(*) as n from t').get()).toEqual({ n: 1 });
    expect(synchronous(db)).toBe(2);
    release();
    await done;
    expect(settled).toBe(true);
    await kysely.destroy();
  });

  it('restores synchronous=FULL after a rollback, without syncing', async () => {
    const synced: string[] = [];
    const { db, kysely } = open(async (wal) => {
      synced.push(wal);
    });
    await expect(
      kysely.transaction().execute(async (trx) => {
        await sql`insert into t (v) values ('b')`.execute(trx);
        throw new Error('abandoned');
      }),
    ).rejects.toThrow('abandoned');
    expect(synced).toEqual([]);
    expect(synchronous(db)).toBe(2);
    expect(db.prepare('select count(*) as n from t').get()).toEqual({ n: 0 });
    await kysely.destroy();
  });

  it('fails the transaction when the sync fails (nothing is acknowledged)', async () => {
    const { kysely } = open(() => Promise.reject(new Error('EIO')));
    await expect(
      kysely.transaction().execute((trx) => sql`insert into t (v) values ('c')`.execute(trx)),
    ).rejects.toThrow('EIO');
    await kysely.destroy();
  });

  it('leaves a database without WAL to synchronous=FULL at COMMIT', async () => {
    const synced: string[] = [];
    const { db, kysely } = open(async (wal) => {
      synced.push(wal);
    }, true);
    await kysely.transaction().execute((trx) => sql`insert into t (v) values ('d')`.execute(trx));
    expect(synced).toEqual([]);
    expect(synchronous(db)).toBe(2);
    await kysely.destroy();
  });

  it('syncs a real WAL file', async () => {
    const { kysely, path } = open(syncFile);
    await kysely.transaction().execute((trx) => sql`insert into t (v) values ('e')`.execute(trx));
    await expect(syncFile(`${path}-wal`)).resolves.toBeUndefined();
    await expect(syncFile(join(path, 'missing'))).rejects.toThrow();
    await kysely.destroy();
  });

  it('moves WAL checkpoints to a worker once busy: the database file grows while commits skip them', async () => {
    const { db, kysely, path } = open(syncFile, false, 1);
    const insert = () =>
      kysely
        .transaction()
        .execute((trx) => sql`insert into t (v) values (${'x'.repeat(100_000)})`.execute(trx));
    await insert();
    for (let i = 0; i < 100 && db.pragma('wal_autocheckpoint', { simple: true }) !== 0; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const before = statSync(path).size;
    // About 6 MB through the WAL: past the 1,000-page threshold, so the worker checkpoints it.
    for (let i = 0; i < 60; i += 1) await insert();
    for (let i = 0; i < 100 && statSync(path).size <= before + 4_000_000; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(statSync(path).size).toBeGreaterThan(before + 4_000_000);
    await kysely.destroy();
    expect(db.open).toBe(false);
  });
});
