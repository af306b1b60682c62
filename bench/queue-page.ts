/**
 * Queue page benchmark, on each record (embedded SQLite; PostgreSQL: a private server started with
 * initdb/pg_ctl, or DATABASE_URL when given — two fresh databases are created on it):
 * - a 50-row page filtered by status, sorted by age (first page, a page further on through the
 *   cursor, newest first), at 100,000 drafts against the same page at 100 drafts measured in the same
 *   run. Goal: <= 2x and < 20 ms.
 * - the import that seeds the large queue (100,000 lines through QueueService.importStream, no
 *   rubric), reported in seconds.
 *
 * Run: node --import tsx bench/queue-page.ts [largeCount]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { parseConfig } from '../src/runtime/config.js';
import type { QueuePageQuery } from '../src/runtime/domain/queue/page.js';
import { createQueueService, type QueueService } from '../src/runtime/services/queue.js';
import { textLines } from '../src/runtime/services/queue-import.js';
import { createRecordStore, type RecordStore } from '../src/runtime/stores/record/record.js';
import { POSTGRES_AVAILABLE, startPostgres, type TestPostgres } from '../tests/helpers/postgres-server.js';

const LARGE = Number(process.argv[2] ?? 100_000);
const SMALL = 100;
const ROUNDS = 40;

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 5; i += 1) await fn();
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i += 1) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

function lines(count: number): string {
  const out: string[] = [];
  for (let n = 0; n < count; n += 1) {
    out.push(
      JSON.stringify({
        id: `q${String(n).padStart(7, '0')}`,
        motion: n % 4 === 0 ? 'inbound' : 'outbound',
        lead: {
          email: `lead${n}@company${n % 997}.example`,
          first_name: 'Sam',
          company: `Company ${n % 997}`,
        },
        subject: `A question about your calls, ${n}`,
        body: `Hi Sam,\n\nA short, specific note number ${n}.\n\nWould a 20-minute call next week help?\n\nBest,\nMaya`,
      }),
    );
  }
  return out.join('\n');
}

interface Target {
  name: string;
  open(label: string): Promise<RecordStore>;
  close(): Promise<void>;
}

function queueOver(record: RecordStore): QueueService {
  return createQueueService({
    record,
    addresses: (repos) => repos.addresses,
    config: parseConfig({ HIVE_DIR: tmpdir() }),
  });
}

async function seed(record: RecordStore, count: number): Promise<number> {
  const queue = queueOver(record);
  const start = performance.now();
  const report = await queue.importStream(textLines(lines(count)));
  if (report.imported !== count) throw new Error(`seeded ${report.imported} of ${count}`);
  // Decide a few so the status filter has something to skip.
  const approve = (await queue.page({ status: 'pending', limit: 5 })).items;
  for (const draft of approve) await queue.approve(draft.id, 'bench');
  return performance.now() - start;
}

const QUERIES: { label: string; query: QueuePageQuery; cursorPages?: number }[] = [
  { label: 'first page (pending, oldest first)', query: { status: 'pending', sort: 'age', limit: 50 } },
  { label: 'newest first (pending)', query: { status: 'pending', sort: '-age', limit: 50 } },
  {
    label: 'page 2 via cursor (pending)',
    query: { status: 'pending', sort: 'age', limit: 50 },
    cursorPages: 1,
  },
];

async function measure(target: Target): Promise<boolean> {
  const small = await target.open('small');
  const large = await target.open('large');
  await seed(small, SMALL);
  const importMs = await seed(large, LARGE);
  console.log(
    `${target.name}: import of ${LARGE.toLocaleString('en')} lines ${(importMs / 1000).toFixed(1)} s`,
  );
  let ok = true;
  for (const { label, query, cursorPages } of QUERIES) {
    const runOn = async (record: RecordStore) => {
      const queue = queueOver(record);
      let q = query;
      if (cursorPages) {
        const first = await queue.page(query);
        q = { ...query, cursor: first.next ?? undefined };
      }
      const page = await queue.page(q);
      if (page.items.length === 0) throw new Error('an empty page');
      return timeIt(() => queue.page(q));
    };
    const smallMs = await runOn(small);
    const largeMs = await runOn(large);
    const ratio = largeMs / smallMs;
    const pass = ratio <= 2 && largeMs < 20;
    ok &&= pass;
    console.log(
      `${target.name}: ${label}: ${SMALL} drafts ${smallMs.toFixed(2)} ms, ${LARGE.toLocaleString('en')} drafts ${largeMs.toFixed(2)} ms, ratio ${ratio.toFixed(2)}x ${pass ? '(goal <= 2x and < 20 ms: met)' : '(goal <= 2x and < 20 ms: NOT met)'}`,
    );
  }
  await small.close();
  await large.close();
  return ok;
}

function sqliteTarget(): Target {
  const dirs: string[] = [];
  return {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'caio-bench-queue-'));
      dirs.push(dir);
      return createRecordStore({ HIVE_DIR: dir });
    },
    async close() {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresTarget(): Promise<Target | undefined> {
  let server: TestPostgres | undefined;
  let admin = process.env.DATABASE_URL;
  if (!admin) {
    if (!POSTGRES_AVAILABLE) return undefined;
    server = await startPostgres();
    admin = server.url;
  }
  const created: string[] = [];
  const dirs: string[] = [];
  return {
    name: 'postgres',
    async open(label) {
      const name = `caio_bench_${label}_${process.pid}`;
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.query(`create database ${name}`);
      await client.end();
      created.push(name);
      const url = new URL(admin);
      url.pathname = `/${name}`;
      const dir = mkdtempSync(join(tmpdir(), 'caio-bench-queue-'));
      dirs.push(dir);
      return createRecordStore({ HIVE_DIR: dir, DATABASE_URL: url.toString() });
    },
    async close() {
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      for (const name of created) await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
      await server?.close();
    },
  };
}

let ok = true;
const sqlite = sqliteTarget();
try {
  ok = (await measure(sqlite)) && ok;
} finally {
  await sqlite.close();
}
const postgres = await postgresTarget();
if (!postgres) console.log('postgres: skipped (no PostgreSQL binaries and no DATABASE_URL)');
else {
  try {
    ok = (await measure(postgres)) && ok;
  } finally {
    await postgres.close();
  }
}
process.exit(ok ? 0 : 1);
