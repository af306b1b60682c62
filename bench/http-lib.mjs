/** Shared helpers of the HTTP benchmarks: spawn a bench server, run autocannon, format numbers. */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const SERVER = fileURLToPath(new URL('./http-bench-server.mjs', import.meta.url));
export const BENCH_TOKEN = 'tok_8f3a9c2b7d1e4f60a5b8c9d0e1f2a3b4c5d6';
export const BENCH_SECRET = 'clay_5e4d3c2b1a09f8e7d6c5b4a392817065';

/**
 * Cores: with two or more and `taskset` at hand, each server under test runs on the last core and the
 * load generator (this process, once `pinLoadGenerator()` is called) on the first. Unpinned, the
 * scheduler moves both around and lets them share a core now and then; the server's CPU per request
 * then swung by +-30% from run to run (39-78 µs for one build and route), far more than the 10% the
 * auth goal allows. Pinned, repeated runs agree within a few percent, and every server gets the same
 * budget: one core for everything it does (its worker threads included). BENCH_PIN=0 turns it off.
 */
const PIN = (() => {
  if (process.env.BENCH_PIN === '0' || cpus().length < 2) return undefined;
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return { server: String(cpus().length - 1), client: '0' };
})();

/** Pin this process (every thread) to the load generator's core. Call it after starting helpers
 * that should float (a private PostgreSQL: in production it is another machine). */
export function pinLoadGenerator() {
  if (PIN) execFileSync('taskset', ['-a', '-p', '-c', PIN.client, String(process.pid)], { stdio: 'ignore' });
}

/** How the run was placed on the cores, for the printed figures. */
export const pinLine = () =>
  PIN
    ? `server on CPU ${PIN.server}, load generator on CPU ${PIN.client}`
    : 'server and load generator not pinned (BENCH_PIN=0, one core, or no taskset)';

/** The node flags `caio serve` runs with (bin/caio sets them), so caio is measured as it is served. */
const SERVE_FLAGS = (() => {
  const launcher = readFileSync(fileURLToPath(new URL('../bin/caio', import.meta.url)), 'utf8');
  return /node_flags=(--\S+)/.exec(launcher)?.[1]?.split(' ') ?? [];
})();

/** `env` is added to the server's environment (e.g. BENCH_DATABASE_URL: the record on PostgreSQL). */
export function spawnServer(kind, env = {}) {
  return new Promise((resolve, reject) => {
    const node = [process.execPath, ...(kind === 'bare' ? [] : SERVE_FLAGS), SERVER, kind];
    const [command, args] = PIN ? ['taskset', ['-c', PIN.server, ...node]] : [node[0], node.slice(1)];
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...env },
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"port"'));
      if (line)
        resolve({
          ...JSON.parse(line),
          url: `http://127.0.0.1:${JSON.parse(line).port}`,
          stop: () => {
            stopped = true;
            child.kill('SIGKILL');
          },
          /** The server's resident memory (bytes) now. */
          rss: () =>
            new Promise((done) => {
              const onData = (chunk) => {
                const found = chunk
                  .toString()
                  .split('\n')
                  .find((l) => l.startsWith('{"cpu_us"'));
                if (!found) return;
                child.stdout.off('data', onData);
                done(JSON.parse(found).rss);
              };
              child.stdout.on('data', onData);
              child.kill('SIGUSR2');
            }),
          /** The server's own CPU time (user + system, µs) so far. */
          cpu: () =>
            new Promise((done) => {
              const onData = (chunk) => {
                const found = chunk
                  .toString()
                  .split('\n')
                  .find((l) => l.startsWith('{"cpu_us"'));
                if (!found) return;
                child.stdout.off('data', onData);
                done(JSON.parse(found).cpu_us);
              };
              child.stdout.on('data', onData);
              child.kill('SIGUSR2');
            }),
        });
    });
    let stopped = false;
    child.once('exit', (code, signal) => {
      // Not stopped by us, after it announced its port: a crash. Say so (a bench waiting on it would hang).
      if (!stopped) process.stderr.write(`bench server ${kind} exited (${code ?? signal})\n`);
      reject(new Error(`bench server ${kind} exited ${code ?? signal}`));
    });
  });
}

export function cannon(options) {
  return new Promise((resolve, reject) => {
    autocannon({ ...options }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

export function summary(result) {
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

export const ratio = (a, b) => (b === 0 ? 0 : a / b);

/** The 1-minute load average and the core count, e.g. "load 3.42 on 2 cores" (print it with figures). */
export const loadLine = () => `load ${loadavg()[0].toFixed(2)} on ${cpus().length} cores`;

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/**
 * Measure several variants in alternating rounds (A B A B ...) and keep each variant's median run
 * by req/s: on a shared machine the load drifts, and alternating spreads the drift over all.
 */
export async function alternate(variants, rounds) {
  const runs = new Map(variants.map((variant) => [variant.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const variant of variants) runs.get(variant.name).push(await variant.run());
  }
  return new Map(
    [...runs].map(([name, results]) => {
      const rps = median(results.map((result) => result.rps));
      return [
        name,
        { ...results.find((result) => result.rps === rps), runs: results.map((r) => r.rps), all: results },
      ];
    }),
  );
}
