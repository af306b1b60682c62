/**
 * Child process for the HTTP benchmarks (run `npm run build` first: it serves the built dist/, as
 * `caio serve` does): one server on an ephemeral port, announced as a JSON line on stdout.
 *   bare        node:http that reads the body, JSON.parses it and answers 200 (the baseline)
 *   caio        the real app over a temp HIVE_DIR (WAL, synchronous=FULL, group commit), with
 *               processing after the reply (Clay rows become leads) sharing the event loop
 *   caio-ingest the same app without the services processing needs: intake alone
 *   caio-open   the real app with /api/runtime/dependencies made `open` (no auth, for the overhead ratio)
 *   caio-operators the real app with 1,000 operators registered; announces the last one's token
 *   caio-inngest the production configuration: Inngest keys set, accepted webhooks sent as events to
 *               the event API at INNGEST_EVENT_API_BASE_URL (a local stub, bench/inngest-event-stub.mjs)
 *   floor       the least a durable intake can do, for scale: node:http, JSON.parse, a SHA-256 key and
 *               one INSERT into a webhook_events table with the record's columns and indexes (the key
 *               hash index and full-key check that deduplicate, the status and source indexes), one
 *               transaction per event-loop turn, the WAL fdatasync'd off the loop before the 2xx.
 *               No validation, secret, trace, processing or query layer: not a product, a ceiling.
 * With BENCH_DATABASE_URL set, the caio variants keep the record in that PostgreSQL database.
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dist = new URL('../dist/', import.meta.url);
const { parseConfig } = await import(new URL('runtime/config.js', dist).href);
const { createRuntime } = await import(new URL('runtime/services/runtime.js', dist).href);
const { ROUTES } = await import(new URL('server/routes/index.js', dist).href);
const { startServer } = await import(new URL('server/start.js', dist).href);

const BENCH_TOKEN = 'tok_8f3a9c2b7d1e4f60a5b8c9d0e1f2a3b4c5d6';
const BENCH_SECRET = 'clay_5e4d3c2b1a09f8e7d6c5b4a392817065';

const kind = process.argv[2] ?? 'bare';
let port;
let operatorToken;
if (kind === 'bare') {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      let status = 200;
      try {
        JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        status = 400;
      }
      const body = JSON.stringify({ received: true });
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = server.address().port;
} else if (kind === 'floor') {
  port = await floorServer();
} else {
  const config = parseConfig({
    HIVE_DIR: mkdtempSync(join(tmpdir(), 'caio-bench-')),
    CAIO_MODE: 'production',
    DASHBOARD_AUTH_STRICT: 'true',
    DASHBOARD_AUTH_TOKEN: BENCH_TOKEN,
    CORS_ALLOWED_ORIGINS: 'https://ops.acme.io',
    CLAY_WEBHOOK_SECRET: BENCH_SECRET,
    ...(kind === 'caio-inngest'
      ? {
          INNGEST_SIGNING_KEY:
            'signkey-prod-7c1f0e9d8b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e',
          INNGEST_EVENT_KEY: 'evtkey_0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e',
          INNGEST_EVENT_API_BASE_URL: process.env.BENCH_EVENT_API_URL,
        }
      : {}),
    ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
  });
  const runtime = await createRuntime(config);
  const routes =
    kind === 'caio-open'
      ? ROUTES.map((route) =>
          route.path === '/api/runtime/dependencies' ? { ...route, auth: 'open' } : route,
        )
      : ROUTES;
  const served = kind === 'caio-ingest' ? { ...runtime, leads: undefined, queue: undefined } : runtime;
  const server = await startServer(served, {
    port: 0,
    host: '127.0.0.1',
    routes,
    background: false,
    authFailureLimit: 1_000_000,
  });
  port = server.port;
  if (kind === 'caio-operators') {
    let token;
    for (let i = 0; i < 1000; i += 1)
      token = (await runtime.operators.add(`op${i}`, i % 2 ? 'reviewer' : 'viewer', 'bench')).token;
    operatorToken = token;
  }
}
// SIGUSR2: print this process's CPU time so far (µs) and its RSS, so a bench can charge CPU per
// request to the server alone (on a 2-core machine the load generator, not the server, often caps
// requests/s). Installed before the port is announced: a signal arriving first would kill us.
process.on('SIGUSR2', () => {
  const { user, system } = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ cpu_us: user + system, rss: process.memoryUsage().rss })}\n`);
});
process.stdout.write(`${JSON.stringify({ port, operator_token: operatorToken })}\n`);
// Exit on SIGINT (profiling: --cpu-prof writes its file on a normal exit).
process.on('SIGINT', () => process.exit(0));

/** The `floor` variant (see the top of this file). */
async function floorServer() {
  const { default: Database } = await import('better-sqlite3');
  const { hash } = await import('node:crypto');
  const { close, fdatasync, open } = await import('node:fs');
  const file = join(mkdtempSync(join(tmpdir(), 'caio-bench-floor-')), 'floor.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -65536');
  db.exec(`create table webhook_events (id integer primary key autoincrement, source text not null,
    idempotency_key text not null, key_hash integer, status text not null, received_at text not null,
    processed_at text, attempts integer not null default 0, error text, payload blob not null);
    create index webhook_events_key_hash on webhook_events (key_hash);
    create index webhook_events_status on webhook_events (status, id);
    create index webhook_events_source on webhook_events (source, id);`);
  // The record's SQLite dedup (tables/intake.ts): a 48-bit key hash index and the full key checked.
  const insert = db.prepare(
    `insert into webhook_events (source, idempotency_key, key_hash, status, received_at, payload)
     select 'clay', @key, @hash, 'stored', @at, @body where not exists (select 1 from webhook_events
     where key_hash = @hash and source = 'clay' and idempotency_key = @key)`,
  );
  let pending = [];
  let scheduled = false;
  let committing = false;
  const syncWal = (done) =>
    open(`${file}-wal`, 'r', (error, fd) => (error ? done() : fdatasync(fd, () => close(fd, done))));
  const pump = () => {
    scheduled = false;
    if (committing || pending.length === 0) return;
    const batch = pending;
    pending = [];
    committing = true;
    const at = new Date().toISOString();
    db.exec('begin immediate');
    for (const item of batch)
      item.id = Number(insert.run({ key: item.key, hash: item.hash, at, body: item.body }).lastInsertRowid);
    db.exec('commit');
    syncWal(() => {
      committing = false;
      for (const item of batch) item.answer();
      pump();
    });
  };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let status = 200;
      try {
        JSON.parse(body.toString('utf8'));
      } catch {
        status = 400;
      }
      const key = `sha256:${hash('sha256', body, 'hex')}`;
      const item = {
        key,
        hash: Number.parseInt(hash('sha256', `clay\u0000${key}`, 'hex').slice(0, 12), 16),
        body,
        answer: () => {
          const text = JSON.stringify({ received: true, id: item.id });
          res.writeHead(status, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(text),
          });
          res.end(text);
        },
      };
      pending.push(item);
      if (!scheduled) {
        scheduled = true;
        setImmediate(pump);
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server.address().port;
}
