#!/usr/bin/env node
/**
 * Auth + CORS overhead: GET /api/runtime/dependencies with the token and an allowed Origin, against
 * the same route made `open` (no token, no Origin) in the same app build. Both servers run side by
 * side and are measured in alternating rounds (median kept), so load drift on a shared machine does
 * not land on one side. Goal: overhead <= 10%.
 *
 * Two figures: requests/s, and the server's own CPU time per request. The load generator needs
 * about as much CPU as the server, so requests/s swings with whatever else the machine runs; CPU per
 * request charges the server alone and is the figure the goals are judged on. Servers run on their
 * own core, the load generator on another (http-lib.mjs), and each overhead is the median of the
 * per-round differences (both sides of a round ran back to back, under the same load).
 *
 *   node bench/http-auth.mjs [--duration 5] [--connections 50] [--rounds 5]
 */
import { parseArgs } from 'node:util';
import {
  BENCH_TOKEN,
  alternate,
  cannon,
  loadLine,
  median,
  pinLine,
  pinLoadGenerator,
  spawnServer,
  summary,
} from './http-lib.mjs';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '5' },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const rounds = Number(values.rounds);
const loadBefore = loadLine();
pinLoadGenerator();

const servers = {
  open: await spawnServer('caio-open'),
  authed: await spawnServer('caio'),
  operators: await spawnServer('caio-operators'),
};
const measure = async (server, headers) => {
  const options = { url: `${server.url}/api/runtime/dependencies`, connections, pipelining: 1, headers };
  await cannon({ ...options, duration: 1 });
  const before = await server.cpu();
  const result = await cannon({ ...options, duration });
  const cpuUs = (await server.cpu()) - before;
  const stats = summary(result);
  return { ...stats, cpuPerRequest: cpuUs / Math.max(1, result.requests.total) };
};
const authHeaders = { authorization: `Bearer ${BENCH_TOKEN}`, origin: 'https://ops.acme.io' };
const results = await alternate(
  [
    { name: 'open', run: () => measure(servers.open, {}) },
    { name: 'open-same-headers', run: () => measure(servers.open, authHeaders) },
    { name: 'authed', run: () => measure(servers.authed, authHeaders) },
    { name: 'service-1000', run: () => measure(servers.operators, authHeaders) },
    {
      name: 'operator-1000',
      run: () =>
        measure(servers.operators, {
          ...authHeaders,
          authorization: `Bearer ${servers.operators.operator_token}`,
        }),
    },
  ],
  rounds,
);
servers.open.stop();
servers.authed.stop();
servers.operators.stop();
// The operator goal compares CPU per request: the median over the rounds of each side (not the CPU of
// the median-req/s round), and the median of the per-round differences (both sides of a round ran
// back to back, under the same load).
const cpuRuns = (name) => results.get(name).all.map((run) => run.cpuPerRequest);
const service1000 = { cpuPerRequest: median(cpuRuns('service-1000')) };
const operator1000 = { cpuPerRequest: median(cpuRuns('operator-1000')) };
/** Per-round overheads of `name` over `base` (CPU per request), and their median. */
const paired = (name, base) => {
  const rounds = cpuRuns(name).map((value, i) => (value - cpuRuns(base)[i]) / cpuRuns(base)[i]);
  return { rounds, median: median(rounds) };
};
const shown = (overhead) =>
  `${(overhead.median * 100).toFixed(1)}% (rounds: ${overhead.rounds.map((o) => `${(o * 100).toFixed(0)}%`).join(', ')})`;
const operatorOverhead = paired('operator-1000', 'service-1000');
const open = results.get('open');
const authed = results.get('authed');
const overhead = (open.rps - authed.rps) / open.rps;
const cpuOverhead = paired('authed', 'open');
const sameHeaders = results.get('open-same-headers');
const authAlone = paired('authed', 'open-same-headers');
console.log(
  `protected GET, ${connections} connections, ${rounds} alternating rounds of ${duration}s (median; ${loadBefore} before, ${loadLine()} after; ${pinLine()})`,
);
console.log(
  `  open route (no auth)        : ${open.rps} req/s (p99 ${open.p99} ms; runs ${open.runs.join(', ')})`,
);
console.log(
  `  token + CORS                : ${authed.rps} req/s (p99 ${authed.p99} ms; runs ${authed.runs.join(', ')})`,
);
console.log(`  throughput overhead         : ${(overhead * 100).toFixed(1)}% (client-bound; informative)`);
console.log(
  `  server CPU per request      : open ${open.cpuPerRequest.toFixed(1)} µs, token + CORS ${authed.cpuPerRequest.toFixed(1)} µs`,
);
console.log(`  CPU overhead                : ${shown(cpuOverhead)} (goal <= 10%)`);
console.log(
  `  of which the token check    : ${shown(authAlone)} (same headers sent to the open route: ${sameHeaders.cpuPerRequest.toFixed(1)} µs)`,
);
console.log(
  `  operator token (1,000 registered) vs service token: ${operator1000.cpuPerRequest.toFixed(1)} µs vs ${service1000.cpuPerRequest.toFixed(1)} µs per request (medians); median per-round overhead ${shown(operatorOverhead)} (goal <= 10%)`,
);
