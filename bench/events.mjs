#!/usr/bin/env node
/* global fetch, AbortController, TextDecoder */
/**
 * `/api/events` benchmark (after `npm run build`): a spawned `caio serve` (embedded record), C live
 * consoles connected to `/api/events` (default 100), and N approvals (default 1,000, one request
 * each, 8 at a time) by a reviewer's token. Baseline, measured in the same run against the same
 * server: the same number of approvals with no console connected.
 *
 * Prints: approvals per second with and without the consoles (ratio), whether every console saw
 * every approved draft (by id), delivery lag (approval answered -> event at the console, p50/p95/max),
 * the server's RSS idle, with the consoles connected, and after the run, and the streams it dropped.
 *
 * Run: node bench/events.mjs [--clients C] [--approvals N]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { draftLine } from './draft-lines.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const CAIO = join(root, 'bin', 'caio');
const { values: flags } = parseArgs({
  options: { clients: { type: 'string', default: '100' }, approvals: { type: 'string', default: '1000' } },
});
const CLIENTS = Number(flags.clients);
const APPROVALS = Number(flags.approvals);
const SERVICE = 'tok_bench_events_9c2b7d1e4f60a5b8c9d0e1f2a3b4';

const dir = mkdtempSync(join(tmpdir(), 'caio-bench-events-'));
const env = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  HIVE_DIR: join(dir, 'hive'),
  CAIO_MODE: 'development',
  DASHBOARD_AUTH_TOKEN: SERVICE,
  DAILY_APPROVAL_CAPACITY: String(APPROVALS * 4),
  TRACE_ENVELOPE_ENABLED: 'false',
  LOG_LEVEL: 'warn',
  CAIO_OPERATOR: 'bench-admin',
};
const cli = (...args) => {
  const r = spawnSync(CAIO, args, { cwd: dir, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`caio ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
};

// Two sets of drafts: one for the baseline run, one for the run with the consoles.
const file = join(dir, 'drafts.jsonl');
writeFileSync(file, Array.from({ length: APPROVALS * 2 }, (_, i) => draftLine(i + 1)).join('\n') + '\n');
cli('queue', 'import', file);
const { token } = JSON.parse(cli('operators', 'add', 'maria', '--role', 'reviewer', '--json'));

const server = spawn(CAIO, ['serve', '--port', '0', '--host', '127.0.0.1'], {
  cwd: dir,
  env: { ...env, LOG_LEVEL: 'info' },
});
const url = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (chunk) => {
    out += chunk;
    const match = /"url":"(http:\/\/[^"]+)"/.exec(out);
    if (match) resolve(match[1]);
  });
  server.stderr.on('data', (chunk) => (out += chunk));
  server.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
});
const rssMb = () => {
  const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
};

/** The ids of the oldest `limit` pending drafts (pages of 500, the API's largest). */
const pending = async (limit) => {
  const ids = [];
  let cursor = '';
  while (ids.length < limit) {
    const res = await fetch(
      `${url}/api/queue?status=pending&sort=age&limit=${Math.min(500, limit - ids.length)}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    const page = await res.json();
    if (!res.ok) throw new Error(`GET /api/queue: ${res.status} ${page.message}`);
    ids.push(...page.items.map((d) => d.id));
    if (!page.next) break;
    cursor = page.next;
  }
  return ids;
};

/** N approvals, 8 in flight; the time each was answered, by id. */
async function approveAll(ids) {
  const answered = new Map();
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      const res = await fetch(`${url}/api/queue/${id}/approve`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      await res.arrayBuffer();
      if (res.ok) answered.set(id, performance.now());
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: 8 }, worker));
  return { ms: performance.now() - start, answered };
}

/** One console's stream: the ids of every draft event it sees, with the time. */
function connect() {
  const controller = new AbortController();
  const seen = new Map();
  let ready;
  const opened = new Promise((resolve) => (ready = resolve));
  void (async () => {
    const res = await fetch(`${url}/api/events`, {
      headers: { authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          if (block.includes('event: ready')) ready();
          const data = block.split('\n').find((line) => line.startsWith('data: '));
          if (!block.includes('event: draft') || !data) continue;
          const at = performance.now();
          for (const id of JSON.parse(data.slice(6)).ids ?? []) if (!seen.has(id)) seen.set(id, at);
        }
      }
    } catch {
      // aborted at the end
    }
  })();
  return { seen, opened, close: () => controller.abort() };
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

try {
  const idle = rssMb();
  const baseline = await approveAll(await pending(APPROVALS));

  const consoles = Array.from({ length: CLIENTS }, connect);
  await Promise.all(consoles.map((c) => c.opened));
  const connected = rssMb();
  let peak = connected;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 50);
  const ids = await pending(APPROVALS);
  const run = await approveAll(ids);
  const deadline = Date.now() + 30_000;
  const complete = () => consoles.every((c) => [...run.answered.keys()].every((id) => c.seen.has(id)));
  while (!complete() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  clearInterval(sampler);
  const after = rssMb();

  const lags = [];
  for (const c of consoles)
    for (const [id, answeredAt] of run.answered) {
      const at = c.seen.get(id);
      if (at !== undefined) lags.push(Math.max(0, at - answeredAt));
    }
  lags.sort((a, b) => a - b);
  const missing = consoles.reduce(
    (sum, c) => sum + [...run.answered.keys()].filter((id) => !c.seen.has(id)).length,
    0,
  );
  const status = await (
    await fetch(`${url}/api/health`, { headers: { authorization: `Bearer ${SERVICE}` } })
  ).json();
  for (const c of consoles) c.close();

  const rate = (r) => (r.answered.size / r.ms) * 1000;
  console.log(`/api/events: ${CLIENTS} consoles, ${APPROVALS} approvals (one request each, 8 in flight)`);
  console.log(`server ${status.version}, embedded record, in-process bus`);
  console.log(
    `approvals/s   no consoles ${rate(baseline).toFixed(0).padStart(6)}   with ${CLIENTS} ${rate(run).toFixed(0).padStart(6)}   x${(rate(baseline) / rate(run)).toFixed(2)} slower`,
  );
  console.log(
    `delivered     ${CLIENTS * run.answered.size - missing} of ${CLIENTS * run.answered.size} (every console, every approved draft)${missing === 0 ? '' : `: ${missing} MISSING`}`,
  );
  console.log(
    `lag           p50 ${quantile(lags, 0.5).toFixed(1)} ms   p95 ${quantile(lags, 0.95).toFixed(1)} ms   max ${(lags.at(-1) ?? NaN).toFixed(1)} ms`,
  );
  console.log(
    `server RSS    idle ${idle.toFixed(0)} MB   ${CLIENTS} connected ${connected.toFixed(0)} MB   peak ${peak.toFixed(0)} MB   after ${after.toFixed(0)} MB`,
  );
  const ok = missing === 0 && run.answered.size === APPROVALS;
  console.log(
    `Result: ${ok ? 'PASS' : 'FAIL'}${run.answered.size === APPROVALS ? '' : ` (${run.answered.size} of ${APPROVALS} approvals accepted)`}`,
  );
  process.exitCode = ok ? 0 : 1;
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}
