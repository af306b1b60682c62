#!/usr/bin/env node
/**
 * Webhook ingest (secret check + zod validation + durable commit in the record + 2xx), against a
 * bare node:http server that parses the same JSON, measured in the same run with autocannon, with
 * the record on SQLite (HIVE_DIR/caio.db, synchronous=FULL) and on PostgreSQL (a private server
 * started for the run with fsync and synchronous_commit on; skipped when PostgreSQL is not installed):
 *   1. throughput: 100 connections, pipelining 10 (goal: caio >= 0.5x the bare server's req/s);
 *   2. latency: 10 connections, no pipelining (goal: p99 <= 10 ms).
 * Every request carries a unique event id, so each one is a real insert (no duplicate shortcut).
 * `caio` is measured twice: intake alone (the goal's definition), and with the in-process
 * processing after the reply (Clay rows become leads) sharing the event loop. For scale, a `floor`
 * server does the least a durable intake can (http-bench-server.mjs): the ratio no implementation
 * with a deduplicating, fsync'd record can pass on this machine.
 *
 *   node bench/webhook-ingest.mjs [--duration 5] [--rounds 3]
 */
import { parseArgs } from 'node:util';
import { alternate, loadLine, pinLine, pinLoadGenerator, ratio } from './http-lib.mjs';
import { startBenchPostgres } from './postgres.mjs';
import { measureIntake } from './webhook-lib.mjs';

const { values } = parseArgs({
  options: { duration: { type: 'string', default: '5' }, rounds: { type: 'string', default: '3' } },
});
const duration = Number(values.duration);
const rounds = Number(values.rounds);
const loadBefore = loadLine();

const postgres = await startBenchPostgres();
// After PostgreSQL has started: it floats over both cores (in production it is another machine).
pinLoadGenerator();

// Fresh servers (and, on PostgreSQL, fresh databases) per run: an ever-growing table would tilt later
// rounds. Measured in alternating rounds (median kept) so load drift on a shared machine spreads over
// every variant. `pg-…` variants are the same servers with the record on PostgreSQL.
async function measure(variant, connections, pipelining) {
  const kind = variant.replace(/^pg-/, '');
  const database = variant.startsWith('pg-') ? await postgres.createDatabase() : undefined;
  try {
    const env = database ? { BENCH_DATABASE_URL: database.url } : {};
    return await measureIntake({ kind, env, connections, pipelining, duration });
  } finally {
    await database?.drop();
  }
}

const variants = (names, connections, pipelining) =>
  names
    .filter((name) => postgres || !name.startsWith('pg-'))
    .map((name) => ({ name, run: () => measure(name, connections, pipelining) }));
let throughput;
let latency;
try {
  throughput = await alternate(
    variants(['bare', 'floor', 'caio-ingest', 'caio', 'pg-caio-ingest', 'pg-caio'], 100, 10),
    rounds,
  );
  latency = await alternate(variants(['bare', 'caio-ingest', 'caio', 'pg-caio-ingest'], 10, 1), rounds);
} finally {
  await postgres?.stop();
}
const bare = throughput.get('bare');
const caio = throughput.get('caio-ingest');
const caioFull = throughput.get('caio');
const bareLatency = latency.get('bare');
const caioLatency = latency.get('caio-ingest');
const caioFullLatency = latency.get('caio');

const us = (value) => `${value.toFixed(0)} µs`;
console.log(
  `webhook ingest, ${rounds} alternating rounds of ${duration}s per variant (median; ${loadBefore} before, ${loadLine()} after; ${pinLine()})`,
);
console.log(`throughput (100 connections, pipelining 10):`);
console.log(
  `  bare node:http + JSON.parse : ${bare.rps} req/s (p99 ${bare.p99} ms, non-2xx ${bare.non2xx}, errors ${bare.errors}; server CPU ${us(bare.cpuPerRequest)}/request)`,
);
console.log(
  `  caio ingest (durable)       : ${caio.rps} req/s (p99 ${caio.p99} ms, non-2xx ${caio.non2xx}, errors ${caio.errors}; server CPU ${us(caio.cpuPerRequest)}/request)`,
);
console.log(`  ratio caio/bare             : ${ratio(caio.rps, bare.rps).toFixed(2)}x (goal >= 0.50x)`);
console.log(
  `  caio + processing           : ${caioFull.rps} req/s (${ratio(caioFull.rps, bare.rps).toFixed(2)}x; lead upserts after the reply share the loop)`,
);
const floor = throughput.get('floor');
console.log(
  `  durable floor, for scale    : ${floor.rps} req/s = ${ratio(floor.rps, bare.rps).toFixed(2)}x bare (one INSERT + group commit, nothing else; server CPU ${us(floor.cpuPerRequest)}/request); caio = ${ratio(caio.rps, floor.rps).toFixed(2)}x of it`,
);
console.log(`latency (10 connections, no pipelining):`);
console.log(
  `  bare p50/p99                : ${bareLatency.p50} / ${bareLatency.p99} ms (${bareLatency.rps} req/s)`,
);
console.log(
  `  caio p50/p99                : ${caioLatency.p50} / ${caioLatency.p99} ms (${caioLatency.rps} req/s) (goal p99 <= 10 ms)`,
);
console.log(
  `  caio + processing p50/p99   : ${caioFullLatency.p50} / ${caioFullLatency.p99} ms (${caioFullLatency.rps} req/s)`,
);
if (postgres) {
  const pgIngest = throughput.get('pg-caio-ingest');
  const pgFull = throughput.get('pg-caio');
  const pgLatency = latency.get('pg-caio-ingest');
  console.log(`record on PostgreSQL (private server, fsync on, synchronous_commit on):`);
  console.log(
    `  caio ingest (durable)       : ${pgIngest.rps} req/s (p99 ${pgIngest.p99} ms, non-2xx ${pgIngest.non2xx}, errors ${pgIngest.errors}; server CPU ${us(pgIngest.cpuPerRequest)}/request)`,
  );
  console.log(`  ratio caio/bare             : ${ratio(pgIngest.rps, bare.rps).toFixed(2)}x`);
  console.log(
    `  caio + processing           : ${pgFull.rps} req/s (${ratio(pgFull.rps, bare.rps).toFixed(2)}x)`,
  );
  console.log(
    `  caio p50/p99 (10 conn.)     : ${pgLatency.p50} / ${pgLatency.p99} ms (${pgLatency.rps} req/s)`,
  );
} else {
  console.log('record on PostgreSQL: skipped (PostgreSQL is not installed: apt-get install postgresql)');
}
