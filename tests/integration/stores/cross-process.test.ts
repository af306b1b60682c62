/**
 * The primitives hold across processes (SPEC 5 reliability): each worker is a separate node process
 * with its own connection to the same Redis or the same SQLite file.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../helpers/redis-server.js';
import { describeRedis } from '../../helpers/redis-suite.js';
import { killAll, spawnWorker, startTogether, type Worker } from '../../helpers/store-workers.js';
import { useTempDir } from '../../helpers/temp.js';
import type { StoreSpec } from '../../helpers/workers/state-worker.js';

const tempDir = useTempDir();
const running: Worker[] = [];
afterEach(() => killAll(running.splice(0)));

async function results(workers: Worker[]): Promise<Record<string, unknown>[]> {
  running.push(...workers);
  return Promise.all(workers.map((w) => w.next('result')));
}

function defineCrossProcessSuite(name: string, storeSpec: () => StoreSpec) {
  describe(`across processes: ${name}`, () => {
    it('two processes at a limit of 100 allow exactly 100', async () => {
      const key = `limit-${randomUUID()}`;
      const store = storeSpec();
      const out = await results(
        await startTogether(
          ['a', 'b'].map((id) => ({ id, store, task: 'consume' as const, key, limit: 100, calls: 150 })),
        ),
      );
      const allowed = out.map((r) => r.allowed as number);
      expect(allowed.reduce((a, b) => a + b, 0)).toBe(100);
    }, 60_000);

    it('50 concurrent claims of one token from 5 processes: exactly one wins', async () => {
      const store = storeSpec();
      const token = `batch-${randomUUID()}`;
      const out = await results(
        await startTogether(
          ['p0', 'p1', 'p2', 'p3', 'p4'].map((id) => ({
            id,
            store,
            task: 'claim' as const,
            namespace: 'batch',
            token,
            claims: 10,
          })),
        ),
      );
      const winners = out.flatMap((r) => r.winners as string[]);
      expect(winners).toHaveLength(1);
      for (const r of out) for (const seen of r.losersSaw as string[]) expect(seen).toBe(winners[0]);
    }, 60_000);

    it('16 lock contenders, the holder paused past its TTL: no overlap, the stale fence is refused', async () => {
      const store = storeSpec();
      const log = join(tempDir(), 'sections.log');
      writeFileSync(log, '');
      const lockSpec = { store, task: 'lock' as const, name: `dispatch-${randomUUID()}`, ttlMs: 1_500, log };

      // The victim takes the lock first, then is frozen (SIGSTOP) like a process in a long GC pause.
      const victim = spawnWorker({ id: 'victim', ...lockSpec, sections: 1, holdFirst: true });
      running.push(victim);
      await victim.next('ready');
      victim.send('go');
      const holding = await victim.next('holding');
      victim.child.kill('SIGSTOP');

      const others = await startTogether(
        Array.from({ length: 15 }, (_, i) => ({ id: `w${i}`, ...lockSpec, sections: 3, holdFirst: false })),
      );
      running.push(...others);
      // Wait until the lock has moved on to a newer holder, then wake the victim.
      const deadline = Date.now() + 20_000;
      while (!/^exit w/m.test(readFileSync(log, 'utf8'))) {
        if (Date.now() > deadline) throw new Error('no other contender got the lock after the TTL');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      victim.child.kill('SIGCONT');
      victim.send('continue');

      const victimResult = await victim.next('result');
      const victimRelease = await victim.next('released');
      const otherResults = await Promise.all(others.map((w) => w.next('result')));
      expect(victimResult).toMatchObject({ accepted: 0, refused: 1 });
      expect(victimRelease).toMatchObject({ fence: holding.fence, released: false });
      expect(otherResults.reduce((n, r) => n + (r.accepted as number), 0)).toBe(45);

      const lines = readFileSync(log, 'utf8').trim().split('\n');
      const events = lines.map((line) => {
        const [what, id, fence] = line.split(' ');
        return { what, id, fence: Number(fence) };
      });
      const refused = events.filter((e) => e.what === 'refused');
      expect(refused).toEqual([{ what: 'refused', id: 'victim', fence: holding.fence }]);
      // Accepted sections, in log order, never interleave, and their fences only go up.
      const accepted = events.filter((e) => !refused.some((r) => r.id === e.id && r.fence === e.fence));
      expect(accepted).toHaveLength(90);
      let lastFence = holding.fence as number;
      for (let i = 0; i < accepted.length; i += 2) {
        const enter = accepted[i];
        const exit = accepted[i + 1];
        expect(enter?.what).toBe('enter');
        expect(exit).toEqual({ ...enter, what: 'exit' });
        expect(enter?.fence).toBeGreaterThan(lastFence);
        lastFence = enter?.fence ?? Infinity;
      }
    }, 120_000);
  });
}

defineCrossProcessSuite('sqlite', () => ({ kind: 'sqlite', dbPath: join(tempDir(), 'caio.db') }));

describeRedis('redis', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.close();
  });
  defineCrossProcessSuite('redis', () => ({ kind: 'redis', url: redis.url, prefix: `t-${randomUUID()}` }));
});
