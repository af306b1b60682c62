/**
 * WAL checkpoints of the embedded record on a worker thread. SQLite's automatic checkpoint runs inside
 * the COMMIT that crosses 1,000 WAL pages, on the committing connection: it copies the WAL into the
 * database and fsyncs both, all synchronously, so on a busy server the event loop stalls for a whole
 * checkpoint every few hundred webhooks (and a row of random-key index pages rewritten by every batch is
 * copied at each one). Here the main connection turns automatic checkpoints off and a worker with its
 * own connection to the same file runs a PASSIVE checkpoint whenever the WAL has grown past the same
 * 1,000 pages: a PASSIVE checkpoint never blocks the writer, and crash safety is SQLite's own either
 * way (the WAL holds every committed transaction until it is checkpointed). If the worker cannot start
 * or dies, the connection goes back to automatic checkpoints at once.
 */
import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const AUTO_CHECKPOINT_PAGES = 1000;

/** CommonJS, evaluated in the worker: poll the WAL's size, checkpoint when it is past the threshold. */
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.module);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
const threshold = workerData.thresholdBytes;
let stopped = false;
parentPort.on('message', (message) => {
  if (message === 'stop') {
    stopped = true;
    db.close();
    parentPort.close();
  }
});
const tick = () => {
  if (stopped) return;
  let size = 0;
  try {
    size = statSync(workerData.path + '-wal').size;
  } catch {}
  if (size >= threshold) db.pragma('wal_checkpoint(PASSIVE)');
  setTimeout(tick, workerData.intervalMs);
};
parentPort.postMessage('ready');
tick();
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

/** Start checkpointing `db` (a WAL database on a file) on a worker; undefined when that cannot be. */
export function startCheckpointer(
  db: Database.Database,
  options: { intervalMs?: number } = {},
): Checkpointer | undefined {
  let module: string;
  try {
    module = createRequire(import.meta.url).resolve('better-sqlite3');
  } catch {
    return undefined;
  }
  const pageSize = Number(db.pragma('page_size', { simple: true })) || 4096;
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: {
      module,
      path: db.name,
      thresholdBytes: AUTO_CHECKPOINT_PAGES * pageSize,
      intervalMs: options.intervalMs ?? 100,
    },
  });
  worker.unref();
  let active = false;
  const fallBack = () => {
    if (active && db.open) db.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
    active = false;
  };
  worker.on('message', (message) => {
    if (message === 'ready' && db.open) {
      db.pragma('wal_autocheckpoint = 0');
      active = true;
    }
  });
  worker.on('error', fallBack);
  worker.on('exit', fallBack);
  return {
    async stop() {
      fallBack();
      // Referenced while stopping: a process with nothing else left must still wait for it.
      worker.ref();
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage('stop');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 1000)))]);
      clearTimeout(timer);
      await worker.terminate();
    },
  };
}
