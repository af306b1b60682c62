/**
 * What the webhook benchmarks share (webhook-ingest.mjs, webhook-inngest.mjs): the Clay delivery they
 * send (a unique body each time, so every request is a real insert), the stand-in for Inngest's event
 * API, and one measured run of a server: fresh process, 1 s warm-up, then `duration` seconds with the
 * server's own CPU time per request, given up after a while rather than hanging on a stalled machine.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BENCH_SECRET, cannon, spawnServer, summary } from './http-lib.mjs';

let counter = 0;
/** POST /webhooks/clay with the secret and a fresh row each time. */
export const clayDelivery = {
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

/** bench/inngest-event-stub.mjs in its own process; `stats()` = {requests, events} so far. */
export function spawnEventStub() {
  const path = fileURLToPath(new URL('./inngest-event-stub.mjs', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const onData = (chunk) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"port"'));
      if (!line) return;
      child.stdout.off('data', onData);
      resolve({
        url: `http://127.0.0.1:${JSON.parse(line).port}`,
        stop: () => child.kill('SIGKILL'),
        stats: () =>
          new Promise((done) => {
            const onStats = (part) => {
              const found = part
                .toString()
                .split('\n')
                .find((l) => l.startsWith('{"requests"'));
              if (!found) return;
              child.stdout.off('data', onStats);
              done(JSON.parse(found));
            };
            child.stdout.on('data', onStats);
            child.kill('SIGUSR2');
          }),
      });
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`event API stub exited ${code}`)));
  });
}

export const progress = (text) => process.stderr.write(`  … ${text}\n`);

/**
 * One measured run of bench server `kind` (see http-bench-server.mjs) with `env` added. Resolves with
 * summary() plus `cpuPerRequest` (server CPU µs / request) and `accepted` (2xx, warm-up included).
 */
export async function measureIntake({ kind, env = {}, connections, pipelining, duration }) {
  progress(`${kind}, ${connections} connections, pipelining ${pipelining}`);
  const server = await spawnServer(kind, env);
  // On a saturated shared machine a run has been seen to stall: give up on it rather than hang.
  let timer;
  const limit = duration * 4 + 30;
  const watchdog = new Promise((resolve) => {
    timer = setTimeout(() => {
      progress(`${kind}: no result after ${limit}s, counted as 0`);
      resolve({ rps: 0, p50: NaN, p99: NaN, non2xx: 0, errors: 1, cpuPerRequest: NaN, accepted: 0 });
    }, limit * 1000);
  });
  const options = { url: server.url, connections, pipelining, requests: [clayDelivery] };
  try {
    const run = (async () => {
      const warm = await cannon({ ...options, duration: 1 });
      const before = await server.cpu();
      const result = await cannon({ ...options, duration });
      const cpu = (await server.cpu()) - before;
      return {
        ...summary(result),
        cpuPerRequest: cpu / Math.max(1, result.requests.total),
        accepted: warm['2xx'] + result['2xx'],
      };
    })();
    return await Promise.race([run, watchdog]);
  } finally {
    clearTimeout(timer);
    server.stop();
  }
}
