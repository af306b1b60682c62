#!/usr/bin/env node
/**
 * Webhook ingest (secret check + zod validation + durable SQLite commit + 2xx), against a bare
 * node:http server that parses the same JSON, measured in the same run with autocannon:
 *   1. throughput: 100 connections, pipelining 10 (goal: caio >= 0.5x the bare server's req/s);
 *   2. latency: 10 connections, no pipelining (goal: p99 <= 10 ms).
 * Every request carries a unique event id, so each one is a real insert (no duplicate shortcut).
 * `caio` is measured twice: intake alone (the goal's definition), and with the in-process
 * processing after the reply (Clay rows become leads) sharing the event loop.
 *
 *   node bench/webhook-ingest.mjs [--duration 5] [--rounds 3]
 */
import { parseArgs } from 'node:util';
import { BENCH_SECRET, alternate, cannon, ratio, spawnServer, summary } from './http-lib.mjs';

const { values } = parseArgs({
  options: { duration: { type: 'string', default: '5' }, rounds: { type: 'string', default: '3' } },
});
const duration = Number(values.duration);
const rounds = Number(values.rounds);

let counter = 0;
const request = {
  method: 'POST',
  path: '/webhooks/clay',
  headers: { 'content-type': 'application/json', 'x-clay-webhook-secret': BENCH_SECRET },
  setupRequest: (req) => {
    counter += 1;
    return {
      ...req,
      body: JSON.stringify({
        id: `evt-${process.pid}-${counter}`,
        email: `lead${counter}@acme.io`,
        company: 'Acme',
        title: 'CTO',
      }),
    };
  },
};

// Fresh servers per run (an ever-growing table would tilt later rounds), measured in alternating
// rounds (median kept) so load drift on a shared machine spreads over every variant.
async function measure(kind, connections, pipelining) {
  const server = await spawnServer(kind);
  try {
    await cannon({ url: server.url, connections, pipelining, duration: 1, requests: [request] }); // warm-up
    return summary(await cannon({ url: server.url, connections, pipelining, duration, requests: [request] }));
  } finally {
    server.stop();
  }
}

const throughput = await alternate(
  ['bare', 'caio-ingest', 'caio'].map((kind) => ({ name: kind, run: () => measure(kind, 100, 10) })),
  rounds,
);
const latency = await alternate(
  ['bare', 'caio-ingest', 'caio'].map((kind) => ({ name: kind, run: () => measure(kind, 10, 1) })),
  rounds,
);
const bare = throughput.get('bare');
const caio = throughput.get('caio-ingest');
const caioFull = throughput.get('caio');
const bareLatency = latency.get('bare');
const caioLatency = latency.get('caio-ingest');
const caioFullLatency = latency.get('caio');

console.log(`webhook ingest, ${rounds} alternating rounds of ${duration}s per variant (median)`);
console.log(`throughput (100 connections, pipelining 10):`);
console.log(
  `  bare node:http + JSON.parse : ${bare.rps} req/s (p99 ${bare.p99} ms, non-2xx ${bare.non2xx}, errors ${bare.errors})`,
);
console.log(
  `  caio ingest (durable)       : ${caio.rps} req/s (p99 ${caio.p99} ms, non-2xx ${caio.non2xx}, errors ${caio.errors})`,
);
console.log(`  ratio caio/bare             : ${ratio(caio.rps, bare.rps).toFixed(2)}x (goal >= 0.50x)`);
console.log(
  `  caio + processing           : ${caioFull.rps} req/s (${ratio(caioFull.rps, bare.rps).toFixed(2)}x; lead upserts after the reply share the loop)`,
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
