/**
 * Two runtime hosts share one Redis but each has its own SQLite file: a suppression or an external
 * send that arrives through one host must stop the other from queueing or batching that address.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { draftInput } from '../../helpers/queue/drafts.js';
import { makeWorld, type World } from '../../helpers/queue/world.js';
import { startRedis, type TestRedis } from '../../helpers/redis-server.js';
import { describeRedis } from '../../helpers/redis-suite.js';
import { useTempDir } from '../../helpers/temp.js';

describeRedis('address facts shared through Redis', () => {
  let redis: TestRedis;
  const tempDir = useTempDir();
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.close();
  });

  async function twoHosts(): Promise<[World, World]> {
    const root = tempDir();
    const prefix = `t:${randomBytes(4).toString('hex')}`;
    const host = async (name: string) => {
      const dir = join(root, name);
      mkdirSync(dir, { recursive: true });
      return makeWorld({ kind: 'redis', dir, redisUrl: redis.url, prefix });
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
      // Host A's local record stays the system of record.
      expect(a.sentLog.suppression(added.kind === 'added' ? added.draft.canonical_email : '')?.reason).toBe(
        'bounced',
      );
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
      // Empty previews are refused (nothing stored), naming the exclusion; a dry run shows it in full.
      await expect(b.gatekeeper.preview({ ids: [id] }, 'maria')).rejects.toMatchObject({
        code: 'empty_preview',
        message: expect.stringContaining('1 already_sent'),
      });
      const batch = await b.gatekeeper.preview({ ids: [id] }, 'maria', { persist: false });
      expect(batch.items).toEqual([]);
      expect(batch.excluded).toEqual([expect.objectContaining({ draft_id: id, reason: 'already_sent' })]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
