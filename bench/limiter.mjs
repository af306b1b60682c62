#!/usr/bin/env node
/**
 * Rate limiter throughput, measured against a bare baseline in the same run (run `npm run build` first):
 *
 *   node bench/limiter.mjs [--ops 100000] [--concurrency 50] [--embedded-ops 5000]
 *
 * Redis: a private redis-server on an ephemeral port. Baseline = `redis-benchmark -t incr` with the
 * same concurrency (-c N clients, no pipelining: one request in flight per client, N in flight in all).
 * Limiter = `store.consume(key, limit, 60)` from dist/, N calls kept in flight on the store's single
 * ioredis connection (auto-pipelined, which is how the runtime uses it). Each consume is one EVALSHA of
 * rate-limiter-flexible's script (SET NX + INCRBY + PTTL) against INCR's single command.
 * The pipelined baseline (-P 16) is printed too, as the ceiling of the server itself.
 *
 * Embedded: `store.consume` on a SQLite file opened like the runtime (WAL; the limiter's own connection
 * commits with synchronous=NORMAL) against a bare better-sqlite3 upsert of one counter row with the
 * same pragmas.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { freePort } from '../tests/helpers/free-port.mjs';

const { values } = parseArgs({
  options: {
    ops: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '50' },
    'embedded-ops': { type: 'string', default: '20000' },
  },
});
const OPS = Number(values.ops);
const CONCURRENCY = Number(values.concurrency);
const EMBEDDED_OPS = Number(values['embedded-ops']);

const dist = new URL('../dist/', import.meta.url);
const { createRedisStateStore } = await import(
  new URL('runtime/stores/redis/redis-state-store.js', dist).href
);
const { createSqliteStateStore } = await import(
  new URL('runtime/stores/sqlite/sqlite-state-store.js', dist).href
);
const { openDatabase } = await import(new URL('runtime/stores/sqlite/database.js', dist).href);

const fmt = (n) => Math.round(n).toLocaleString('en-US');

async function waitForPort(port) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const open = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`redis-server did not listen on ${port}`);
}

function redisBenchmark(port, pipeline) {
  const args = [
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-t',
    'incr',
    '-n',
    String(OPS),
    '-c',
    String(CONCURRENCY),
  ];
  if (pipeline > 1) args.push('-P', String(pipeline));
  const out = spawnSync('redis-benchmark', [...args, '--csv'], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`redis-benchmark failed: ${out.stderr}`);
  // "test","rps",... then "INCR","123456.79",...
  const row = out.stdout
    .trim()
    .split('\n')
    .find((line) => line.startsWith('"INCR"'));
  return Number(row?.split(',')[1]?.replaceAll('"', ''));
}

/** Keep `concurrency` calls in flight until `total` have completed; returns ops/s. */
async function drive(total, concurrency, call) {
  let started = 0;
  const begin = performance.now();
  const lane = async () => {
    while (started < total) {
      const i = started++;
      await call(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, lane));
  return total / ((performance.now() - begin) / 1000);
}

async function benchRedis() {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    console.log('redis-server not installed: Redis part skipped');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'caio-bench-redis-'));
  const port = await freePort();
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  try {
    await waitForPort(port);
    const store = createRedisStateStore({
      REDIS_URL: `redis://127.0.0.1:${port}`,
      STATE_REDIS_PREFIX: 'bench:state',
      CONTEXT_REDIS_PREFIX: 'bench:context',
      RATE_LIMIT_REDIS_NAMESPACE: 'bench:ratelimit',
      CONTEXT_STATE_TTL_SECONDS: 7200,
      REDIS_MAX_CONNECTIONS: 50,
    });
    await store.connect();
    // Warm up: script load, JIT.
    await drive(Math.min(5_000, OPS), CONCURRENCY, (i) => store.consume(`warm:${i % 1000}`, 1_000_000, 60));

    const baseline = redisBenchmark(port, 1);
    const limiter = await drive(OPS, CONCURRENCY, (i) => store.consume(`k:${i % 1000}`, 1_000_000, 60));
    const baselineAgain = redisBenchmark(port, 1);
    const pipelined = redisBenchmark(port, 16);
    await store.close();

    const base = (baseline + baselineAgain) / 2;
    console.log(`Redis (${fmt(OPS)} ops, ${CONCURRENCY} in flight, same private redis-server)`);
    console.log(
      `  redis-benchmark -t incr -c ${CONCURRENCY}        ${fmt(base)} ops/s (runs: ${fmt(baseline)}, ${fmt(baselineAgain)})`,
    );
    console.log(`  limiter consume (1 conn, auto-pipelined)  ${fmt(limiter)} ops/s`);
    console.log(
      `  ratio limiter / incr baseline             ${(limiter / base).toFixed(2)}x (goal >= 0.70x)`,
    );
    console.log(
      `  server ceiling: incr -P 16                ${fmt(pipelined)} ops/s (limiter = ${(limiter / pipelined).toFixed(2)}x)`,
    );
  } finally {
    server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchEmbedded() {
  const dir = mkdtempSync(join(tmpdir(), 'caio-bench-sqlite-'));
  try {
    const db = openDatabase(join(dir, 'caio.db'));
    const store = createSqliteStateStore(db, { CONTEXT_STATE_TTL_SECONDS: 7200 });
    // The bare baseline commits like the limiter's connection does: WAL, synchronous=NORMAL.
    db.exec('CREATE TABLE bare (key TEXT PRIMARY KEY, points INTEGER NOT NULL)');
    db.pragma('synchronous = NORMAL');
    const upsert = db.prepare(
      'INSERT INTO bare (key, points) VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET points = points + 1 RETURNING points',
    );
    await drive(200, 1, (i) => store.consume(`warm:${i}`, 1_000_000, 60));
    const bare = await drive(EMBEDDED_OPS, 1, async (i) => upsert.get(`k:${i % 1000}`));
    const limiter = await drive(EMBEDDED_OPS, CONCURRENCY, (i) =>
      store.consume(`k:${i % 1000}`, 1_000_000, 60),
    );
    await store.close();
    db.close();
    console.log(
      `Embedded SQLite (${fmt(EMBEDDED_OPS)} ops, WAL; limiter connection synchronous=NORMAL, see docs/state.md)`,
    );
    console.log(`  bare better-sqlite3 upsert                ${fmt(bare)} ops/s`);
    console.log(`  limiter consume                           ${fmt(limiter)} ops/s`);
    console.log(`  ratio limiter / bare upsert               ${(limiter / bare).toFixed(2)}x`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await benchRedis();
await benchEmbedded();
