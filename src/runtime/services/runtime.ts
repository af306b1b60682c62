/**
 * The runtime container: builds every service once, with its stores injected, for `caio serve`, the
 * console and one-shot commands alike. No module-level state: tests build their own runtime over a
 * temp HIVE_DIR and a private Redis.
 *
 * Each subsystem adds its service here (field + one construction line) and registers its cleanup.
 */
import type { Config } from '../config.js';
import { databasePath, openDatabase, type SqliteDatabase } from '../stores/sqlite/database.js';

export interface Runtime {
  config: Config;
  /** The embedded SQLite database (HIVE_DIR/caio.db): audit, webhooks, sent log, embedded state. */
  db: SqliteDatabase;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Clock for services that need one (tests pass a fixed one). */
  now?: () => number;
}

export async function createRuntime(config: Config, _options: RuntimeOptions = {}): Promise<Runtime> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const db = openDatabase(databasePath(config.HIVE_DIR));
  cleanups.push(() => {
    db.close();
  });

  let closed = false;
  return {
    config,
    db,
    async close() {
      if (closed) return;
      closed = true;
      for (const cleanup of cleanups.reverse()) await cleanup();
    },
  };
}
