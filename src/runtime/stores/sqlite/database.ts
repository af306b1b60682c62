/**
 * The one way to open the embedded SQLite database (`HIVE_DIR/caio.db`): WAL, synchronous=FULL (an
 * acknowledged write survives kill -9 and power loss), a busy timeout so the console, `caio serve` and
 * one-shot commands can share the file. Each store creates its own tables (CREATE TABLE IF NOT EXISTS)
 * when it is constructed.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { UserError, errorMessage } from '../../errors.js';
import { ensurePrivateFile } from '../../private-files.js';

export type SqliteDatabase = Database.Database;

export function databasePath(hiveDir: string): string {
  return join(hiveDir, 'caio.db');
}

/** Embedded coordination (locks, claims, counters, limits, context) when REDIS_URL is unset: its own file, never the record. */
export function coordinationPath(hiveDir: string): string {
  return join(hiveDir, 'coordination.db');
}

export function openDatabase(path: string, options: { readonly?: boolean } = {}): SqliteDatabase {
  try {
    // A new HIVE_DIR is 0700 and the database 0600 (its -wal and -shm files take the same mode).
    if (!options.readonly) ensurePrivateFile(path);
    const db = new Database(path, {
      readonly: Boolean(options.readonly),
      fileMustExist: Boolean(options.readonly),
    });
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
    }
    return db;
  } catch (error) {
    throw new UserError(`Cannot open the embedded database ${path}: ${errorMessage(error)}`, {
      nextStep:
        'Check HIVE_DIR (it must be a writable folder) and that no other program holds the file locked.',
      code: 'sqlite_open_failed',
      cause: error,
    });
  }
}
