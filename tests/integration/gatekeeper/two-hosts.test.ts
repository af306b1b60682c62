/**
 * Two hosts (separate processes, separate HIVE_DIRs) on one private Redis and one PostgreSQL record:
 * - the ramp's daily limit of 10 holds across both: 10 sends in total, whichever host executes;
 * - after `redis-cli FLUSHALL` (the one-time claims and locks are gone), nothing executed is sent
 *   again, from either host: the record knows the batch ran.
 * The provider is a local Instantly stand-in that records every request.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draftInput, jsonl } from '../../helpers/queue/drafts.js';
import { startInstantlyStub, type InstantlyStub } from '../../helpers/queue/instantly-stub.js';
import { makeWorld, type World } from '../../helpers/queue/world.js';
import { createTestDatabase } from '../../helpers/postgres-server.js';
import { POSTGRES_FOR_TESTS } from '../../helpers/record.js';
import { REDIS_AVAILABLE, startRedis, type TestRedis } from '../../helpers/redis-server.js';
import { waitUntil } from '../../helpers/store-contract.js';
import { useTempDir } from '../../helpers/temp.js';

const WORKER = fileURLToPath(new URL('./execute.worker.ts', import.meta.url));

interface WorkerAnswer {
  ok: boolean;
  code?: string;
  message?: string;
  counts?: { sent: number; failed: number; skipped: number; unknown: number };
}

function runWorker(job: Record<string, unknown>): Promise<WorkerAnswer> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(job)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const line = stdout.trim().split('\n').at(-1);
      if (line?.startsWith('{')) resolve(JSON.parse(line) as WorkerAnswer);
      else reject(new Error(`worker exited ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

/** Execute on a host, waiting (polling) while the other host holds the dispatch lock. */
async function executeOn(job: Record<string, unknown>): Promise<WorkerAnswer> {
  let answer: WorkerAnswer | undefined;
  await waitUntil(
    async () => {
      answer = await runWorker(job);
      return answer.code !== 'dispatch_locked';
    },
    'the dispatch lock',
    60_000,
  );
  return answer!;
}

const run = REDIS_AVAILABLE && POSTGRES_FOR_TESTS ? describe : describe.skip;

run('two hosts on one Redis and one PostgreSQL record', () => {
  let redis: TestRedis;
  let stub: InstantlyStub;
  const drops: (() => Promise<void>)[] = [];
  const tempDir = useTempDir();
  beforeAll(async () => {
    redis = await startRedis();
    stub = await startInstantlyStub();
  });
  afterAll(async () => {
    await stub.close();
    await redis.close();
    for (const drop of drops) await drop();
  });

  async function hosts(domain: string) {
    const database = await createTestDatabase();
    drops.push(() => database.drop());
    const root = tempDir();
    const prefix = `t-${randomUUID()}`;
    const env = {
      EMAIL_SEND_MODE: 'live',
      INSTANTLY_API_KEY: 'inst_test_key_0123456789abcdef',
      INSTANTLY_BASE_URL: stub.url,
      DAILY_APPROVAL_CAPACITY: '1000',
      RAMP_START_DAILY_LIMIT: '10',
    };
    const job = (host: 'a' | 'b') => {
      const dir = join(root, host);
      mkdirSync(dir, { recursive: true });
      return { kind: 'redis', dir, redisUrl: redis.url, prefix, databaseUrl: database.url, env };
    };
    const a = job('a');
    const b = job('b');
    const worldA: World = await makeWorld({ ...a, kind: 'redis' });
    const worldB: World = await makeWorld({ ...b, kind: 'redis' });
    drops.unshift(async () => {
      await worldA.close();
      await worldB.close();
    });
    const inputs = Array.from({ length: 30 }, (_, i) =>
      draftInput(i, { lead: { email: `p${i}@${domain}` } }),
    );
    await worldA.queue.importLines(jsonl(inputs));
    expect(
      (
        await worldA.queue.approveMany(
          inputs.map((d) => d.id!),
          'maria',
        )
      ).every((r) => r.ok),
    ).toBe(true);
    const requests = () => stub.requests.filter((r) => String(r.body.email).endsWith(`@${domain}`));
    return { a, b, worldA, worldB, requests };
  }

  it('a daily limit of 10 is 10 sends in total across both hosts', async () => {
    const { a, b, worldA, worldB, requests } = await hosts('ramp.example');
    // Each host previews 10 before anything is sent: each sees the whole allowance.
    const first = await worldA.gatekeeper.preview({ ids: inputIds(0, 10) }, 'maria');
    const second = await worldB.gatekeeper.preview({ ids: inputIds(10, 20) }, 'maria');
    expect([first.items.length, second.items.length]).toEqual([10, 10]);
    const answers = await Promise.all([
      executeOn({ ...a, batchId: first.id, hash: first.hash, actor: 'maria' }),
      executeOn({ ...b, batchId: second.id, hash: second.hash, actor: 'maria' }),
    ]);
    const sent = answers.reduce((n, answer) => n + (answer.counts?.sent ?? 0), 0);
    expect(sent).toBe(10);
    expect(answers.filter((answer) => answer.code === 'ramp_limit')).toHaveLength(1);
    expect(requests()).toHaveLength(10);
    // Both hosts agree: 10 of 10 sent today, and a new preview on either host has nothing to send.
    expect(await worldA.gatekeeper.ramp()).toMatchObject({ sent_today: 10, remaining_today: 0 });
    expect(await worldB.gatekeeper.ramp()).toMatchObject({ sent_today: 10, remaining_today: 0 });
    await expect(worldB.gatekeeper.preview({ ids: inputIds(20, 30) }, 'maria')).rejects.toMatchObject({
      code: 'empty_preview',
    });
  }, 120_000);

  it('after redis-cli FLUSHALL nothing executed is sent again, from either host', async () => {
    const { a, b, worldB, requests } = await hosts('flush.example');
    const batch = await worldB.gatekeeper.preview({ ids: inputIds(0, 5) }, 'maria');
    expect(await executeOn({ ...a, batchId: batch.id, hash: batch.hash, actor: 'maria' })).toMatchObject({
      ok: true,
      counts: { sent: 5 },
    });
    expect(requests()).toHaveLength(5);
    const flushed = spawnSync('redis-cli', ['-p', String(redis.port), 'FLUSHALL'], { encoding: 'utf8' });
    expect(flushed.stdout.trim()).toBe('OK');
    for (const job of [a, b]) {
      expect(await executeOn({ ...job, batchId: batch.id, hash: batch.hash, actor: 'maria' })).toMatchObject({
        ok: false,
        code: 'already_executed',
      });
      expect(
        await executeOn({ ...job, batchId: batch.id, hash: batch.hash, actor: 'maria', resume: true }),
      ).toMatchObject({ ok: false, code: 'already_executed' });
    }
    expect(requests()).toHaveLength(5);
    // The record still lists the executed batch and its sends.
    expect(await worldB.gatekeeper.list()).toMatchObject([{ id: batch.id, status: 'executed' }]);
    expect((await worldB.record.ledger.forBatch(batch.id)).map((row) => row.status)).toEqual(
      Array.from({ length: 5 }, () => 'sent'),
    );
  }, 120_000);
});

function inputIds(from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, i) => `d${String(from + i).padStart(5, '0')}`);
}
