/**
 * A separate process that executes (or resumes) one Gatekeeper batch over a shared store, for the
 * concurrency and crash tests. argv[2] is JSON: {kind, dir, redisUrl?, prefix?, env, batchId, hash,
 * actor, resume?, delayMs?, lockTtlMs?}. Prints one JSON line: {ok, counts} or {ok: false, code, message}.
 */
import { isUserError } from '../../../src/runtime/errors.js';
import { makeWorld } from '../../helpers/queue/world.js';

interface Job {
  kind: 'sqlite' | 'redis';
  dir: string;
  redisUrl?: string;
  databaseUrl?: string;
  prefix?: string;
  env: Record<string, string>;
  batchId: string;
  hash: string;
  actor: string;
  resume?: boolean;
  delayMs?: number;
  lockTtlMs?: number;
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
const world = await makeWorld({
  kind: job.kind,
  dir: job.dir,
  redisUrl: job.redisUrl,
  databaseUrl: job.databaseUrl,
  prefix: job.prefix,
  env: job.env,
  ...(job.lockTtlMs ? { lockTtlMs: job.lockTtlMs } : {}),
  wrapEmail: (adapters) =>
    job.delayMs
      ? {
          ...adapters,
          email: {
            ...adapters.email,
            send: async (message) => {
              await new Promise((resolve) => setTimeout(resolve, job.delayMs));
              return adapters.email.send(message);
            },
          },
        }
      : adapters,
});
try {
  const result = await world.gatekeeper.execute(job.batchId, job.hash, job.actor, {
    resume: job.resume ?? false,
  });
  process.stdout.write(`${JSON.stringify({ ok: true, counts: result.counts })}\n`);
} catch (error) {
  if (!isUserError(error)) throw error;
  process.stdout.write(`${JSON.stringify({ ok: false, code: error.code, message: error.message })}\n`);
} finally {
  await world.close();
}
