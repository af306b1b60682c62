/**
 * A separate process hitting a state store, for the cross-process reliability tests.
 * Spawned as `node --import tsx state-worker.ts '<json WorkerSpec>'`. It prints `{"event":"ready"}`,
 * waits for a `go` line on stdin (so every worker starts at once), runs its task, prints one JSON
 * result line and exits.
 */
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createRedisStateStore } from '../../../src/runtime/stores/redis/redis-state-store.js';
import { openDatabase } from '../../../src/runtime/stores/sqlite/database.js';
import { createSqliteStateStore } from '../../../src/runtime/stores/sqlite/sqlite-state-store.js';
import type { StateStore } from '../../../src/runtime/stores/state-store.js';
import { redisStoreConfig } from '../store-config.js';

export type WorkerSpec = { id: string; store: StoreSpec } & (
  | { task: 'consume'; key: string; limit: number; calls: number }
  | { task: 'claim'; namespace: string; token: string; claims: number }
  | { task: 'lock'; name: string; ttlMs: number; sections: number; log: string; holdFirst: boolean }
);

export type StoreSpec = { kind: 'sqlite'; dbPath: string } | { kind: 'redis'; url: string; prefix: string };

const lines = createInterface({ input: process.stdin });
const pending: ((line: string) => void)[] = [];
const buffered: string[] = [];
lines.on('line', (line) => {
  const waiter = pending.shift();
  if (waiter) waiter(line);
  else buffered.push(line);
});
const nextLine = (): Promise<string> =>
  new Promise((resolve) => {
    const line = buffered.shift();
    if (line !== undefined) resolve(line);
    else pending.push(resolve);
  });
const emit = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function openStore(spec: StoreSpec): Promise<{ store: StateStore; done: () => Promise<void> }> {
  if (spec.kind === 'sqlite') {
    const db = openDatabase(spec.dbPath);
    return {
      store: createSqliteStateStore(db, { CONTEXT_STATE_TTL_SECONDS: 7200 }),
      done: async () => {
        db.close();
      },
    };
  }
  const store = createRedisStateStore(redisStoreConfig(spec.url, spec.prefix));
  await store.connect();
  return { store, done: () => store.close() };
}

async function runLock(store: StateStore, spec: Extract<WorkerSpec, { task: 'lock' }>) {
  const record = (what: string, fence: number) => appendFileSync(spec.log, `${what} ${spec.id} ${fence}\n`);
  let accepted = 0;
  let refused = 0;
  let held = false;
  while (accepted + refused < spec.sections) {
    const lock = await store.acquireLock(spec.name, spec.ttlMs);
    if (!lock) {
      await pause(5 + Math.random() * 10);
      continue;
    }
    record('enter', lock.fence);
    if (spec.holdFirst && !held) {
      held = true;
      emit({ event: 'holding', fence: lock.fence });
      await nextLine(); // The test SIGSTOPs us here and lets us go long after the TTL.
    } else {
      await pause(2);
    }
    // The fenced write: only the current holder may touch the protected resource.
    if (await store.checkFence(spec.name, lock.fence)) {
      record('exit', lock.fence);
      accepted++;
    } else {
      record('refused', lock.fence);
      refused++;
    }
    const released = await store.releaseLock(lock);
    emit({ event: 'released', fence: lock.fence, released });
  }
  return { accepted, refused };
}

async function main() {
  const spec = JSON.parse(process.argv[2] ?? '{}') as WorkerSpec;
  const { store, done } = await openStore(spec.store);
  emit({ event: 'ready' });
  await nextLine();
  let result: unknown;
  switch (spec.task) {
    case 'consume': {
      const results = await Promise.all(
        Array.from({ length: spec.calls }, () => store.consume(spec.key, spec.limit, 60)),
      );
      result = { allowed: results.filter((r) => r.allowed).length };
      break;
    }
    case 'claim': {
      const results = await Promise.all(
        Array.from({ length: spec.claims }, (_, i) =>
          store.claimOnce(spec.namespace, spec.token, `${spec.id}-${i}`),
        ),
      );
      result = {
        winners: results.flatMap((r, i) => (r.claimed ? [`${spec.id}-${i}`] : [])),
        losersSaw: [...new Set(results.flatMap((r) => (r.claimed ? [] : [r.by])))],
      };
      break;
    }
    case 'lock':
      result = await runLock(store, spec);
      break;
  }
  emit({ event: 'result', ...(result as object) });
  await done();
  lines.close();
}

main().catch((error: unknown) => {
  emit({ event: 'error', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
