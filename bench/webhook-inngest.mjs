#!/usr/bin/env node
/**
 * Webhook intake in the production configuration: Inngest keys set, every accepted delivery handed
 * to Inngest as an event (batched, off the request path) at a local stand-in of Inngest's event API
 * (bench/inngest-event-stub.mjs, its own process). Against a bare node:http JSON POST, same run:
 *   1. throughput: 100 connections, pipelining 10 (goal: caio >= 0.5x bare);
 *   2. latency: 10 connections, no pipelining (goal: p99 <= 10 ms);
 *   3. memory under 300 slow hostile sockets (wrong secret, right secret, unsigned /inngest; each
 *      promising 1 MB and trickling it): the server's RSS before and at its peak.
 *
 *   node bench/webhook-inngest.mjs [--duration 5] [--rounds 3]
 */
import { connect } from 'node:net';
import { parseArgs } from 'node:util';
import {
  BENCH_SECRET,
  alternate,
  loadLine,
  pinLine,
  pinLoadGenerator,
  ratio,
  spawnServer,
} from './http-lib.mjs';
import { measureIntake, progress, spawnEventStub } from './webhook-lib.mjs';

const { values } = parseArgs({
  options: { duration: { type: 'string', default: '5' }, rounds: { type: 'string', default: '3' } },
});
const duration = Number(values.duration);
const rounds = Number(values.rounds);
const loadBefore = loadLine();

const stub = await spawnEventStub();
// After the event API stub has started: it stands in for Inngest's cloud and floats over both cores.
pinLoadGenerator();
const env = { BENCH_EVENT_API_URL: stub.url };
let accepted = 0;

async function measure(kind, connections, pipelining) {
  const result = await measureIntake({ kind, env, connections, pipelining, duration });
  if (kind === 'caio-inngest') accepted += result.accepted;
  return result;
}

// caio-ingest (no Inngest keys, the embedded default) is measured too: what the hand-off costs.
const variants = (connections, pipelining) =>
  ['bare', 'caio-ingest', 'caio-inngest'].map((kind) => ({
    name: kind,
    run: () => measure(kind, connections, pipelining),
  }));
const throughput = await alternate(variants(100, 10), rounds);
const latency = await alternate(variants(10, 1), rounds);
// Servers are killed right after each run: events still buffered then are not counted as sent.
const sent = await stub.stats();

/** 300 sockets, each promising 1 MB and sending 16 KB every 100 ms; returns the server's RSS. */
async function hostile() {
  progress('300 slow hostile sockets');
  const server = await spawnServer('caio-inngest', env);
  const { hostname, port } = new URL(server.url);
  const before = await server.rss();
  const kinds = [
    ['wrong secret', `POST /webhooks/clay HTTP/1.1\r\nhost: x\r\nx-clay-webhook-secret: wrong\r\n`],
    ['right secret', `POST /webhooks/clay HTTP/1.1\r\nhost: x\r\nx-clay-webhook-secret: ${BENCH_SECRET}\r\n`],
    ['unsigned /inngest', `POST /inngest HTTP/1.1\r\nhost: x\r\n`],
  ];
  const answers = new Map(kinds.map(([name]) => [name, new Map()]));
  const chunk = Buffer.alloc(16 * 1024, 0x20);
  const sockets = [];
  for (let i = 0; i < 300; i++) {
    const [name, head] = kinds[i % kinds.length];
    const socket = connect(Number(port), hostname, () =>
      socket.write(`${head}content-type: application/json\r\ncontent-length: 1048576\r\n\r\n`),
    );
    socket.on('data', (data) => {
      const status = /^HTTP\/1\.1 (\d{3})/.exec(data.toString('latin1'))?.[1];
      if (status) answers.get(name).set(status, (answers.get(name).get(status) ?? 0) + 1);
    });
    socket.on('error', () => {});
    sockets.push(socket);
  }
  let peak = before;
  let health = 0;
  const trickle = setInterval(() => {
    for (const socket of sockets) if (socket.writable) socket.write(chunk);
  }, 100);
  for (let t = 0; t < 16; t++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    peak = Math.max(peak, await server.rss());
    const started = Date.now();
    const ok = await globalThis.fetch(`${server.url}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) health = Math.max(health, Date.now() - started);
  }
  clearInterval(trickle);
  for (const socket of sockets) socket.destroy();
  server.stop();
  return { before, peak, answers, health };
}
const attack = await hostile();
stub.stop();

const bare = throughput.get('bare');
const caio = throughput.get('caio-inngest');
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const us = (value) => `${value.toFixed(0)} µs`;
console.log(
  `webhook ingest with Inngest keys set, ${rounds} alternating rounds of ${duration}s (median; ${loadBefore} before, ${loadLine()} after; ${pinLine()})`,
);
console.log('throughput (100 connections, pipelining 10):');
console.log(
  `  bare node:http + JSON.parse : ${bare.rps} req/s (p99 ${bare.p99} ms; server CPU ${us(bare.cpuPerRequest)}/request)`,
);
console.log(
  `  caio, events to Inngest     : ${caio.rps} req/s (p99 ${caio.p99} ms, non-2xx ${caio.non2xx}, errors ${caio.errors}; server CPU ${us(caio.cpuPerRequest)}/request)`,
);
console.log(`  ratio caio/bare             : ${ratio(caio.rps, bare.rps).toFixed(2)}x (goal >= 0.50x)`);
const embedded = throughput.get('caio-ingest');
console.log(
  `  same intake, no Inngest     : ${embedded.rps} req/s = ${ratio(embedded.rps, bare.rps).toFixed(2)}x bare (with the hand-off: ${ratio(caio.rps, embedded.rps).toFixed(2)}x of it; server CPU ${us(embedded.cpuPerRequest)}/request)`,
);
console.log(
  `  event API (stub)            : ${sent.events} events in ${sent.requests} requests (${(sent.events / Math.max(1, sent.requests)).toFixed(0)} per request; ${accepted} deliveries accepted)`,
);
console.log('latency (10 connections, no pipelining):');
console.log(`  bare p50/p99                : ${latency.get('bare').p50} / ${latency.get('bare').p99} ms`);
console.log(
  `  caio p50/p99                : ${latency.get('caio-inngest').p50} / ${latency.get('caio-inngest').p99} ms (goal p99 <= 10 ms)`,
);
console.log(
  `  same intake, no Inngest     : ${latency.get('caio-ingest').p50} / ${latency.get('caio-ingest').p99} ms`,
);
console.log('300 slow hostile sockets (1 MB promised each, 16 KB per 100 ms, 8 s):');
console.log(`  server RSS before / peak    : ${mb(attack.before)} / ${mb(attack.peak)}`);
for (const [name, statuses] of attack.answers) {
  const shown = [...statuses].map(([status, n]) => `${n}x ${status}`).join(', ') || 'no answer yet';
  console.log(`  ${name.padEnd(28)}: ${shown}`);
}
console.log(`  /api/health during attack   : slowest ${attack.health} ms`);
process.exit(0);
