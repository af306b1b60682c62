/** A Redis restart without persistence must never make an address sendable again (issue 5). */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { draftInput, jsonl } from '../../helpers/queue/drafts.js';
import { startInstantlyStub, type InstantlyStub } from '../../helpers/queue/instantly-stub.js';
import { makeWorld } from '../../helpers/queue/world.js';
import { startRedis, type TestRedis } from '../../helpers/redis-server.js';
import { describeRedis } from '../../helpers/redis-suite.js';
import { waitUntil } from '../../helpers/store-contract.js';
import { useTempDir } from '../../helpers/temp.js';

describeRedis('sent addresses survive a Redis restart without persistence', () => {
  let redis: TestRedis;
  let stub: InstantlyStub;
  beforeAll(async () => {
    redis = await startRedis();
    stub = await startInstantlyStub();
  });
  afterAll(async () => {
    await stub.close();
    await redis.close();
  });
  const tempDir = useTempDir();

  it('after the restart, the same people are duplicates and never previewed again', async () => {
    const dir = tempDir();
    const prefix = `t-${randomUUID()}`;
    const env = {
      EMAIL_SEND_MODE: 'live',
      INSTANTLY_API_KEY: 'inst_test_key_0123456789abcdef',
      INSTANTLY_BASE_URL: stub.url,
    };
    const inputs = [0, 1, 2].map((n) => draftInput(n, { lead: { email: `r${n}@restart.example` } }));

    const before = await makeWorld({ kind: 'redis', dir, redisUrl: redis.url, prefix, env });
    await before.queue.importLines(jsonl(inputs));
    await before.queue.approveMany(['d00000', 'd00001', 'd00002'], 'maria');
    const batch = await before.gatekeeper.preview({ motion: 'all' }, 'maria');
    expect((await before.gatekeeper.execute(batch.id, batch.hash, 'maria')).counts.sent).toBe(3);
    await before.close();

    await redis.stop();
    await redis.start();

    const after = await makeWorld({ kind: 'redis', dir, redisUrl: redis.url, prefix, env });
    await waitUntil(async () => (await after.state.health()).healthy, 'redis to be back');
    // The record remembers: every draft and its decision is still there after Redis lost everything.
    expect((await after.queue.list()).map((d) => [d.id, d.status, d.decided_by])).toEqual([
      ['d00000', 'sent', 'maria'],
      ['d00001', 'sent', 'maria'],
      ['d00002', 'sent', 'maria'],
    ]);
    const report = await after.queue.importLines(jsonl(inputs.map((d, i) => ({ ...d, id: `again${i}` }))));
    expect(report.by_status).toEqual({ duplicate: 3 }); // ...and what was sent is not sendable again.
    // A draft forced in as approved for a sent person cannot even be stored: one active draft per address.
    const forced = { ...(await after.queue.get('again0'))!, id: 'forced', status: 'approved' as const };
    expect(await after.record.drafts.insert(forced)).toBe('address_taken');
    const second = await after.gatekeeper.preview({ motion: 'all' }, 'maria', { persist: false });
    expect(second.items).toEqual([]);
    // A preview with no items is not stored; the executed batch is still listed (the record has it).
    await expect(after.gatekeeper.preview({ motion: 'all' }, 'maria')).rejects.toMatchObject({
      code: 'empty_preview',
    });
    expect(await after.gatekeeper.list()).toMatchObject([{ id: batch.id, status: 'executed' }]);
    expect(stub.requests.filter((r) => String(r.body.email).endsWith('@restart.example'))).toHaveLength(3);
    await after.close();
  });
});
