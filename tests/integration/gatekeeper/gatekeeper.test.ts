import { afterAll, beforeAll, expect, it } from 'vitest';
import { cliNextStep } from '../../../src/cli/hints.js';
import { sha256Hex } from '../../../src/runtime/domain/gatekeeper/hash.js';
import type { UserError } from '../../../src/runtime/errors.js';
import { errorReply } from '../../../src/server/error-reply.js';
import { draftInput, jsonl } from '../../helpers/queue/drafts.js';
import { startInstantlyStub, type InstantlyStub } from '../../helpers/queue/instantly-stub.js';
import { describeStores } from '../../helpers/queue/stores.js';
import type { World } from '../../helpers/queue/world.js';

async function approvedDrafts(world: World, n: number, start = 0) {
  await world.queue.importLines(jsonl(Array.from({ length: n }, (_, i) => draftInput(start + i))));
  const ids = Array.from({ length: n }, (_, i) => `d${String(start + i).padStart(5, '0')}`);
  const results = await world.queue.approveMany(ids, 'maria');
  expect(results.every((r) => r.ok)).toBe(true);
  return ids;
}

describeStores(
  'gatekeeper',
  (make) => {
    let stub: InstantlyStub;
    beforeAll(async () => {
      stub = await startInstantlyStub();
    });
    afterAll(async () => {
      await stub.close();
    });

    it('previews an immutable batch with hash, expiry, items and exclusions', async () => {
      const clock = Date.parse('2026-01-05T09:00:00.000Z');
      const world = await make({ now: () => clock, env: { RAMP_START_DAILY_LIMIT: '3' } });
      await approvedDrafts(world, 5);
      await world.queue.suppressAddress('lead1@company1.example', 'bounced', 'instantly');
      const batch = await world.gatekeeper.preview({ motion: 'outbound' }, 'maria');
      expect(batch).toMatchObject({
        mode: 'log-only',
        previewed_by: 'maria',
        created_at: '2026-01-05T09:00:00.000Z',
        expires_at: '2026-01-05T09:15:00.000Z',
        ramp: { tier: 0, daily_limit: 3, remaining_today: 3 },
      });
      expect(batch.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(batch.items.map((i) => i.draft_id)).toEqual(['d00000', 'd00002', 'd00003']);
      expect(batch.items[0]).toMatchObject({
        canonical_email: 'lead0@company0.example',
        body_sha256: sha256Hex(draftInput(0).body),
      });
      // The suppressed draft is no longer approved, so a motion preview does not see it; d00004 is over the ramp.
      expect(batch.excluded).toEqual([
        { draft_id: 'd00004', reason: 'ramp_limit', detail: 'over the ramp daily allowance' },
      ]);
      const listed = await world.gatekeeper.list();
      expect(listed).toMatchObject([{ id: batch.id, status: 'previewed', items: 3, excluded: 1, run: null }]);
      // A dry run stores nothing.
      const dry = await world.gatekeeper.preview({ motion: 'all' }, 'maria', { persist: false });
      expect(dry.hash).toBe(batch.hash);
      expect(await world.gatekeeper.list()).toHaveLength(1);
    });

    it('executes exactly once with the right hash; refuses wrong hash, re-execution and unknown ids', async () => {
      const world = await make();
      await approvedDrafts(world, 4);
      const batch = await world.gatekeeper.preview({ ids: ['d00000', 'd00001', 'd00002', 'nope'] }, 'maria');
      expect(batch.excluded).toEqual([
        { draft_id: 'nope', reason: 'not_found', detail: 'no draft with this id' },
      ]);
      await expect(world.gatekeeper.execute(batch.id, 'f'.repeat(64), 'maria')).rejects.toMatchObject({
        code: 'hash_mismatch',
        exitCode: 1,
      });
      const result = await world.gatekeeper.execute(batch.id, batch.hash, 'maria');
      expect(result.counts).toEqual({ sent: 3, failed: 0, skipped: 0, unknown: 0 });
      expect((await world.queue.list({ status: 'sent' })).map((d) => d.id)).toEqual([
        'd00000',
        'd00001',
        'd00002',
      ]);
      expect((await world.queue.get('d00003'))?.status).toBe('approved');
      expect(
        (await world.record.ledger.forBatch(batch.id)).map((r) => [r.draft_id, r.status, r.mode]),
      ).toEqual([
        ['d00000', 'sent', 'log-only'],
        ['d00001', 'sent', 'log-only'],
        ['d00002', 'sent', 'log-only'],
      ]);
      await expect(world.gatekeeper.execute(batch.id, batch.hash, 'maria')).rejects.toMatchObject({
        code: 'already_executed',
        message: expect.stringContaining('already executed by maria'),
      });
      await expect(world.gatekeeper.execute('b_missing', batch.hash, 'maria')).rejects.toMatchObject({
        code: 'batch_not_found',
        exitCode: 1,
      });
      expect((await world.gatekeeper.list())[0]).toMatchObject({
        status: 'executed',
        run: { counts: { sent: 3 } },
      });
      const actions = (await world.auditTail(20)).map((r) => r.action);
      expect(actions.filter((a) => a === 'dispatch.sent')).toHaveLength(3);
      expect(actions).toContain('batch.preview');
      expect(actions).toContain('batch.executed');
      expect(await world.verifyAudit()).toMatchObject({ ok: true });
      // log-only sends never mark an address as really sent.
      expect((await world.record.addresses.lookup(['lead0@company0.example'])).sent.size).toBe(0);
    });

    it('refuses an expired batch and sends nothing', async () => {
      let clock = Date.parse('2026-01-05T09:00:00.000Z');
      const world = await make({ now: () => clock, env: { GATEKEEPER_BATCH_TTL_SECONDS: '60' } });
      await approvedDrafts(world, 2);
      const batch = await world.gatekeeper.preview({ motion: 'all' }, 'maria');
      clock += 60_000;
      await expect(world.gatekeeper.execute(batch.id, batch.hash, 'maria')).rejects.toMatchObject({
        code: 'batch_expired',
        message: `Batch ${batch.id} expired at 2026-01-05T09:01:00.000Z`,
      });
      expect(await world.record.ledger.countForBatch(batch.id)).toBe(0);
      expect((await world.gatekeeper.list())[0]?.status).toBe('expired');
    });

    it('refuses when an item changed between preview and execute (suppression, undo)', async () => {
      const world = await make();
      await approvedDrafts(world, 3);
      const batch = await world.gatekeeper.preview({ motion: 'all' }, 'maria');
      await world.queue.suppressAddress('LEAD1@company1.example', 'unsubscribed', 'instantly-webhook');
      await expect(world.gatekeeper.execute(batch.id, batch.hash, 'maria')).rejects.toMatchObject({
        code: 'items_changed',
        message: expect.stringContaining('d00001 (now suppressed)'),
      });
      expect(await world.record.ledger.countForBatch(batch.id)).toBe(0);
      expect((await world.queue.list({ status: 'approved' })).map((d) => d.id)).toEqual(['d00000', 'd00002']);
      const second = await world.gatekeeper.preview({ motion: 'all' }, 'maria');
      await world.queue.undo('d00002', 'maria');
      await expect(world.gatekeeper.execute(second.id, second.hash, 'maria')).rejects.toMatchObject({
        code: 'items_changed',
      });
      // Nothing was claimed by the refusals: a fresh preview executes.
      const third = await world.gatekeeper.preview({ motion: 'all' }, 'maria');
      expect((await world.gatekeeper.execute(third.id, third.hash, 'maria')).counts.sent).toBe(1);
    });

    it('refuses without the dispatch lock', async () => {
      const world = await make();
      await approvedDrafts(world, 1);
      const batch = await world.gatekeeper.preview({ motion: 'all' }, 'maria');
      // Another host holds the lock: the loser hears why, that nothing was sent, and when to retry.
      const held = await world.state.acquireLock('dispatch', 60_000);
      expect(held).toBeDefined();
      const locked = await world.gatekeeper.execute(batch.id, batch.hash, 'maria').catch((e: unknown) => e);
      expect(locked).toMatchObject({
        code: 'dispatch_locked',
        message: `Another host or process is executing a batch (one at a time, on every host); this request sent nothing for batch ${batch.id}, and no draft is ever sent twice`,
      });
      expect(errorReply(locked, 'c1')).toEqual({
        status: 409,
        body: {
          code: 'dispatch_locked',
          message: expect.stringContaining(
            'no draft is ever sent twice. Retry after that execution finishes: this batch then executes, or, if the other execution was this batch, the retry is refused as already executed.',
          ),
        },
      });
      expect(cliNextStep(locked as UserError)).toContain('`caio batch list`');
      // It is this batch that the other host runs: a second execute, or a resume, says so.
      await world.record.batches.startRun(batch, 'alex');
      const again = await world.gatekeeper.execute(batch.id, batch.hash, 'maria').catch((e: unknown) => e);
      expect(again).toMatchObject({
        code: 'already_executed',
        nextStep: expect.stringContaining('If it is still running on another host or process, wait for it'),
      });
      const resumed = await world.gatekeeper
        .execute(batch.id, batch.hash, 'maria', { resume: true })
        .catch((e: unknown) => e);
      expect(resumed).toMatchObject({
        code: 'dispatch_locked',
        message: expect.stringMatching(
          new RegExp(
            `^Batch ${batch.id} is being executed by alex on another host or process \\(started .+\\); this request sent nothing`,
          ),
        ),
      });
      expect(cliNextStep(resumed as UserError)).toContain(
        `\`caio batch show ${batch.id}\`; do not execute it again`,
      );
      await world.state.releaseLock(held!);
      // The lock free (the other host stopped): resuming sends the item, once.
      expect(
        (await world.gatekeeper.execute(batch.id, batch.hash, 'maria', { resume: true })).counts.sent,
      ).toBe(1);
    });

    it('two-person rule: whoever triggered the run cannot execute it', async () => {
      const world = await make({ twoPersonRule: true });
      await approvedDrafts(world, 1);
      const batch = await world.gatekeeper.preview({ motion: 'all' }, 'joe', { triggeredBy: 'joe' });
      await expect(world.gatekeeper.execute(batch.id, batch.hash, 'joe')).rejects.toMatchObject({
        code: 'two_person_rule',
      });
      expect((await world.gatekeeper.execute(batch.id, batch.hash, 'maria')).counts.sent).toBe(1);
    });

    it('whitelist mode sends through Instantly only to whitelisted addresses, once per address', async () => {
      const world = await make({
        env: {
          EMAIL_SEND_MODE: 'whitelist',
          EMAIL_WHITELIST: '@company1.example,lead2@company2.example',
          INSTANTLY_API_KEY: 'inst_test_key_0123456789abcdef',
          INSTANTLY_BASE_URL: stub.url,
        },
      });
      await approvedDrafts(world, 3);
      const before = stub.requests.length;
      const batch = await world.gatekeeper.preview({ motion: 'all' }, 'maria');
      expect(batch.mode).toBe('whitelist');
      expect(batch.items.map((i) => i.draft_id)).toEqual(['d00001', 'd00002']);
      expect(batch.excluded).toMatchObject([{ draft_id: 'd00000', reason: 'not_whitelisted' }]);
      stub.failNext(1, 503);
      const result = await world.gatekeeper.execute(batch.id, batch.hash, 'maria');
      expect(result.counts).toEqual({ sent: 2, failed: 0, skipped: 0, unknown: 0 });
      const mine = stub.requests.slice(before);
      expect(mine).toHaveLength(3); // one 503 retried
      expect(mine[0]?.auth).toBe('Bearer inst_test_key_0123456789abcdef');
      expect(mine[1]?.body).toMatchObject({
        skip_if_in_workspace: true,
        custom_variables: { caio_draft_id: 'd00001' },
      });
      // Really sent now: a new draft to the same person is a duplicate, and previews exclude it.
      expect(
        (await world.record.addresses.lookup(['lead1@company1.example'])).sent.has('lead1@company1.example'),
      ).toBe(true);
      await world.queue.add(draftInput(50, { lead: { email: 'lead1@company1.example' } }), 'api');
      expect((await world.queue.get('d00050'))?.status).toBe('duplicate');
    });

    it('checks the ramp again at execute: two batches previewed the same day cannot exceed it', async () => {
      const world = await make({
        env: {
          EMAIL_SEND_MODE: 'whitelist',
          EMAIL_WHITELIST: '@company0.example,@company1.example,@company2.example,@company3.example',
          INSTANTLY_API_KEY: 'inst_test_key_0123456789abcdef',
          INSTANTLY_BASE_URL: stub.url,
          RAMP_START_DAILY_LIMIT: '2',
        },
      });
      await approvedDrafts(world, 4);
      const first = await world.gatekeeper.preview({ ids: ['d00000', 'd00001'] }, 'maria');
      const second = await world.gatekeeper.preview({ ids: ['d00002', 'd00003'] }, 'maria');
      expect(first.items).toHaveLength(2);
      expect(second.items).toHaveLength(2);
      const before = stub.requests.length;
      expect((await world.gatekeeper.execute(first.id, first.hash, 'maria')).counts.sent).toBe(2);
      await expect(world.gatekeeper.execute(second.id, second.hash, 'maria')).rejects.toMatchObject({
        code: 'ramp_limit',
        message: expect.stringContaining('the ramp allows 0 more today (2 of 2 sent)'),
      });
      expect(stub.requests.length - before).toBe(2);
      expect((await world.gatekeeper.ramp()).sent_today).toBe(2);
      // Nothing was claimed: the batch can still run on a day with allowance left.
      expect((await world.gatekeeper.list()).find((b) => b.id === second.id)).toBeDefined();
    });

    it('records a failed live send as failed, and a day with a failure is not clean', async () => {
      const world = await make({
        env: {
          EMAIL_SEND_MODE: 'live',
          INSTANTLY_API_KEY: 'inst_test_key_0123456789abcdef',
          INSTANTLY_BASE_URL: stub.url,
        },
      });
      await approvedDrafts(world, 2, 100);
      const batch = await world.gatekeeper.preview({ motion: 'all' }, 'maria');
      stub.failNext(1, 400);
      const result = await world.gatekeeper.execute(batch.id, batch.hash, 'maria');
      expect(result.counts).toEqual({ sent: 1, failed: 1, skipped: 0, unknown: 0 });
      expect(result.items[0]).toMatchObject({
        status: 'failed',
        detail: expect.stringContaining('HTTP 400'),
      });
      expect(await world.queue.get('d00100')).toMatchObject({
        status: 'failed',
        error: expect.stringContaining('HTTP 400'),
      });
      expect(await world.gatekeeper.ramp()).toMatchObject({ sent_today: 2, remaining_today: 8 });
    });

    it('ramp graduation needs clean days and an explicit, audited confirmation', async () => {
      const world = await make();
      await expect(world.gatekeeper.graduate('maria', true)).rejects.toThrow(/0 of 3 clean supervised days/);
      // Three clean past days of real sends, written as the sent log would.
      const day = 24 * 60 * 60 * 1000;
      for (let i = 1; i <= 3; i += 1) {
        const at = Date.now() - i * day;
        const intent = {
          draftId: `x${i}`,
          batchId: 'bx',
          canonicalEmail: `x${i}@a.io`,
          email: `x${i}@a.io`,
          subject: 's',
          body: 'b',
          mode: 'live',
        };
        await world.record.ledger.begin(intent, at);
        await world.record.ledger.complete(`x${i}`, { status: 'sent' }, at);
      }
      expect(await world.gatekeeper.ramp()).toMatchObject({
        clean_days: 3,
        eligible_to_graduate: true,
        next_daily_limit: 20,
      });
      await expect(world.gatekeeper.graduate('maria', false)).rejects.toThrow(/explicit confirmation/);
      expect(await world.gatekeeper.graduate('maria', true)).toMatchObject({
        tier: 1,
        daily_limit: 20,
        clean_days: 0,
      });
      expect((await world.auditTail(1))[0]).toMatchObject({ actor: 'maria', action: 'ramp.graduate' });
    });
  },
  { postgres: true },
);
