#!/usr/bin/env node
/**
 * Queue import: `caio queue import FILE` of N lines (default 100,000; streamed, 500 drafts per
 * transaction) into a fresh record, on SQLite (HIVE_DIR/caio.db) and on PostgreSQL (a private server
 * with fsync on; skipped when PostgreSQL is not installed). Baseline, measured in the same run on the
 * same record kind: a raw import of the same file by this process, i.e. read the lines, JSON.parse
 * each, and store (id, email, line) with multi-row INSERTs of 100 rows, 500 rows per transaction,
 * durable commits (better-sqlite3 WAL synchronous=FULL; pg). The caio figure includes starting the
 * process and migrating the record; the ratio says what validation, scoring, dedup by canonical
 * address and the queue's bookkeeping cost over the floor.
 *
 *   node bench/import.mjs [--lines N] [--rounds 3]
 * Needs `npm run build`.
 */
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { draftLine } from './draft-lines.mjs';
import { loadLine, median } from './http-lib.mjs';
import { startBenchPostgres } from './postgres.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const CAIO = join(root, 'bin', 'caio');
const { values: flags } = parseArgs({
  options: { lines: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '3' } },
});
const lines = Number(flags.lines);
const rounds = Number(flags.rounds);
const loadBefore = loadLine();

const work = mkdtempSync(join(tmpdir(), 'caio-import-'));
const file = join(work, 'drafts.jsonl');
writeFileSync(file, Array.from({ length: lines }, (_, i) => `${draftLine(i)}\n`).join(''));

function caioImport(env) {
  const hive = mkdtempSync(join(work, 'hive-'));
  try {
    const start = performance.now();
    const out = execFileSync(CAIO, ['queue', 'import', file], {
      env: { ...process.env, HIVE_DIR: hive, ...env },
      encoding: 'utf8',
    });
    return { seconds: (performance.now() - start) / 1000, summary: out.trim().split('\n')[0] };
  } finally {
    rmSync(hive, { recursive: true, force: true });
  }
}

const CREATE = 'create table raw_drafts (id text primary key, email text not null, line text not null)';
const rowsOf = (chunk) =>
  chunk.map((line) => {
    const value = JSON.parse(line);
    return [value.id, String(value.lead.email).toLowerCase(), line];
  });

/** The raw import on SQLite: prepared multi-row INSERTs, one transaction per 500 lines. */
function rawSqlite() {
  const dir = mkdtempSync(join(work, 'raw-'));
  const start = performance.now();
  const db = new Database(join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(CREATE);
  const insert = (n) =>
    db.prepare(
      `insert into raw_drafts values ${Array(n).fill('(?, ?, ?)').join(', ')} on conflict do nothing`,
    );
  const hundred = insert(100);
  const text = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  for (let i = 0; i < text.length; i += 500) {
    const rows = rowsOf(text.slice(i, i + 500));
    db.transaction(() => {
      for (let r = 0; r < rows.length; r += 100) {
        const part = rows.slice(r, r + 100);
        (part.length === 100 ? hundred : insert(part.length)).run(...part.flat());
      }
    })();
  }
  db.close();
  const seconds = (performance.now() - start) / 1000;
  rmSync(dir, { recursive: true, force: true });
  return { seconds };
}

/** The raw import on PostgreSQL: multi-row INSERTs, one transaction per 500 lines. */
async function rawPostgres(url) {
  const start = performance.now();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(CREATE);
  const text = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  for (let i = 0; i < text.length; i += 500) {
    const rows = rowsOf(text.slice(i, i + 500));
    await client.query('begin');
    for (let r = 0; r < rows.length; r += 100) {
      const part = rows.slice(r, r + 100);
      const tuples = part.map((_, k) => `($${k * 3 + 1}, $${k * 3 + 2}, $${k * 3 + 3})`).join(', ');
      await client.query(`insert into raw_drafts values ${tuples} on conflict do nothing`, part.flat());
    }
    await client.query('commit');
  }
  await client.end();
  return { seconds: (performance.now() - start) / 1000 };
}

const postgres = await startBenchPostgres();
const runs = { sqlite: [], rawSqlite: [], postgres: [], rawPostgres: [] };
let summaries = {};
try {
  // Alternating rounds (median kept): load drift on a shared machine spreads over every variant.
  for (let round = 0; round < rounds; round += 1) {
    process.stderr.write(`  … round ${round + 1}/${rounds}\n`);
    const sqlite = caioImport({});
    runs.sqlite.push(sqlite.seconds);
    summaries.sqlite = sqlite.summary;
    runs.rawSqlite.push(rawSqlite().seconds);
    if (postgres) {
      const db = await postgres.createDatabase();
      try {
        const pgRun = caioImport({ DATABASE_URL: db.url });
        runs.postgres.push(pgRun.seconds);
        summaries.postgres = pgRun.summary;
      } finally {
        await db.drop();
      }
      const raw = await postgres.createDatabase();
      try {
        runs.rawPostgres.push((await rawPostgres(raw.url)).seconds);
      } finally {
        await raw.drop();
      }
    }
  }
} finally {
  await postgres?.stop();
  rmSync(work, { recursive: true, force: true });
}

const rate = (seconds) => Math.round(lines / seconds);
const show = (label, caio, raw, summary) => {
  const c = median(caio);
  const r = median(raw);
  console.log(
    `  ${label.padEnd(10)}: caio ${c.toFixed(1)} s = ${rate(c)} lines/s; raw insert ${r.toFixed(1)} s = ${rate(r)} lines/s; ratio caio/raw ${(r / c).toFixed(2)}x (runs ${caio.map((s) => s.toFixed(1)).join(', ')} s)`,
  );
  console.log(`  ${''.padEnd(10)}  ${summary}`);
};
console.log(
  `queue import of ${lines} lines, ${rounds} alternating rounds (median; ${loadBefore} before, ${loadLine()} after)`,
);
show('SQLite', runs.sqlite, runs.rawSqlite, summaries.sqlite);
if (postgres) show('PostgreSQL', runs.postgres, runs.rawPostgres, summaries.postgres);
else console.log('  PostgreSQL: skipped (PostgreSQL is not installed: apt-get install postgresql)');
