/**
 * The record remembers, Redis coordinates (SPEC 5): after `redis-cli FLUSHALL` every draft and decision
 * is still listed, and approval capacity still holds — on both records, with two runtimes ("hosts")
 * sharing one Redis and one record.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseConfig } from '../../../src/runtime/config.js';
import { createRuntime, type Runtime } from '../../../src/runtime/services/runtime.js';
import { draftInput, jsonl } from '../../helpers/queue/drafts.js';
import { describeRecords } from '../../helpers/record.js';
import { REDIS_AVAILABLE, startRedis, type TestRedis } from '../../helpers/redis-server.js';

describeRecords('queue after redis-cli FLUSHALL', ({ kind, open }) => {
  let redis: TestRedis | undefined;
  beforeAll(async () => {
    if (REDIS_AVAILABLE) redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.close();
  });

  it('lists every draft and decision afterwards, and capacity still holds across hosts', async () => {
    if (!redis) throw new Error('redis-server is required for this test (install redis-server)');
    const { config: recordConfig } = await open();
    const prefix = `caio:test:${randomUUID()}`;
    const config = parseConfig({
      ...recordConfig,
      REDIS_URL: redis.url,
      REDIS_REQUIRED: 'true',
      STATE_REDIS_PREFIX: `${prefix}:state`,
      RATE_LIMIT_REDIS_NAMESPACE: `${prefix}:rl`,
      CONTEXT_REDIS_PREFIX: `${prefix}:ctx`,
      DAILY_APPROVAL_CAPACITY: '2',
    });
    const hosts: Runtime[] = [await createRuntime(config)];
    // PostgreSQL: a second host on the same record; SQLite: one process holds the file's one connection.
    hosts.push(kind === 'postgres' ? await createRuntime(config) : hosts[0]!);
    const [a, b] = [hosts[0]!.queue, hosts[1]!.queue];
    try {
      await a.importLines(jsonl(Array.from({ length: 5 }, (_, i) => draftInput(i))));
      expect((await a.approve('d00000', 'Maria')).status).toBe('approved');
      expect((await b.approve('d00001', 'maria')).status).toBe('approved');
      await b.reject('d00002', 'joe', 'tone', 'too pushy');
      const before = await a.page({ limit: 50 });

      const flushed = spawnSync('redis-cli', ['-p', String(redis.port), 'FLUSHALL'], { encoding: 'utf8' });
      expect(flushed.stdout.trim()).toBe('OK');

      const after = await b.page({ limit: 50 });
      expect(after).toEqual(before);
      expect(after.items.map((d) => [d.id, d.status, d.decided_by])).toEqual([
        ['d00000', 'approved', 'Maria'],
        ['d00001', 'approved', 'maria'],
        ['d00002', 'rejected', 'joe'],
        ['d00003', 'pending', null],
        ['d00004', 'pending', null],
      ]);
      // Capacity 2 is used (by "Maria" and "maria": one identity), on either host, Redis empty or not.
      for (const queue of [a, b])
        await expect(queue.approve('d00003', 'MARIA')).rejects.toMatchObject({ code: 'capacity_reached' });
      expect((await a.approve('d00003', 'joe')).decided_by).toBe('joe');
      const metrics = await b.metrics();
      expect(metrics.capacity.reviewers).toEqual([
        { reviewer: 'joe', used: 1, remaining: 1 },
        { reviewer: 'maria', used: 2, remaining: 0 },
      ]);
      expect(metrics.counts).toMatchObject({ approved: 3, rejected: 1, pending: 1 });
    } finally {
      for (const host of new Set(hosts)) await host.close();
    }
  });

  it("two hosts approving at once never exceed one identity's capacity", async () => {
    if (!redis) throw new Error('redis-server is required for this test (install redis-server)');
    const { config: recordConfig } = await open();
    const prefix = `caio:test:${randomUUID()}`;
    const config = parseConfig({
      ...recordConfig,
      REDIS_URL: redis.url,
      STATE_REDIS_PREFIX: `${prefix}:state`,
      RATE_LIMIT_REDIS_NAMESPACE: `${prefix}:rl`,
      CONTEXT_REDIS_PREFIX: `${prefix}:ctx`,
      DAILY_APPROVAL_CAPACITY: '3',
    });
    const first = await createRuntime(config);
    const second = kind === 'postgres' ? await createRuntime(config) : first;
    try {
      await first.queue.importLines(jsonl(Array.from({ length: 10 }, (_, i) => draftInput(i))));
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? first : second).queue.approve(`d0000${i}`, i % 3 ? 'ann' : 'ANN'),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
      expect((await first.queue.metrics()).capacity.reviewers).toEqual([
        { reviewer: 'ann', used: 3, remaining: 0 },
      ]);
    } finally {
      await first.close();
      if (second !== first) await second.close();
    }
  });
});
