/**
 * Two runtime hosts share one Redis and one record (PostgreSQL when the test server is there, else
 * one SQLite file): a suppression or an external send that arrives through one host must stop the
 * other from queueing or batching that address.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { draftInput } from '../../helpers/queue/drafts.js';
import { makeWorld, type World } from '../../helpers/queue/world.js';
import { createTestDatabase } from '../../helpers/postgres-server.js';
import { POSTGRES_FOR_TESTS } from '../../helpers/record.js';
import { startRedis, type TestRedis } from '../../helpers/redis-server.js';
import { describeRedis } from '../../helpers/redis-suite.js';
import { useTempDir } from '../../helpers/temp.js';

describeRedis('address facts shared by hosts', () => {
  let redis: TestRedis;
  const tempDir = useTempDir();
  beforeAll(async () => {
    redis = await startRedis();
  });
  const drops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    await redis.close();
    for (const drop of drops) await drop();
  });

  async function twoHosts(): Promise<[World, World]> {
    const root = tempDir();
    const prefix = `t:${randomBytes(4).toString('hex')}`;
    const database = POSTGRES_FOR_TESTS ? await createTestDatabase() : undefined;
    if (database) drops.push(() => database.drop());
    const host = async (name: string) => {
      const dir = join(root, database ? name : 'shared');
      mkdirSync(dir, { recursive: true });
      return makeWorld({ kind: 'redis', dir, redisUrl: redis.url, prefix, databaseUrl: database?.url });
    };
    return [await host('a'), await host('b')];
  }

  it('a bounce received by host A suppresses a later draft imported on host B', async () => {
    const [a, b] = await twoHosts();
    try {
      const input = draftInput(1);
      await a.queue.suppressAddress(input.lead.email, 'bounced', 'instantly');
      const added = await b.queue.add(input, 'api');
      expect(added.kind).toBe('added');
      expect(added.kind === 'added' && added.draft.status).toBe('suppressed');
      // The shared record holds it.
      expect(
        (await a.record.addresses.suppression(added.kind === 'added' ? added.draft.canonical_email : ''))
          ?.reason,
      ).toBe('bounced');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('an external send recorded by host A excludes the address from a preview on host B', async () => {
    const [a, b] = await twoHosts();
    try {
      const input = draftInput(2);
      const added = await b.queue.add(input, 'api');
      expect(added.kind === 'added' && added.draft.status).toBe('pending');
      const id = added.kind === 'added' ? added.draft.id : '';
      await b.queue.approve(id, 'maria');
      await a.queue.recordExternalSend(input.lead.email, 'instantly');
      const batch = await b.gatekeeper.preview({ ids: [id] }, 'maria', { persist: false });
      expect(batch.items).toEqual([]);
      expect(batch.excluded).toEqual([expect.objectContaining({ draft_id: id, reason: 'already_sent' })]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
