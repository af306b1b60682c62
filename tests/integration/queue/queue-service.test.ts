import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { UNDO_GRACE_MS } from '../../../src/runtime/domain/queue/transitions.js';
import { createQueueService } from '../../../src/runtime/services/queue.js';
import { fileLines } from '../../../src/runtime/services/queue-import.js';
import { draftInput, jsonl } from '../../helpers/queue/drafts.js';
import { describeStores } from '../../helpers/queue/stores.js';

describeStores('queue service', (make) => {
  it('imports good lines, reports bad ones by line number, and is idempotent on re-import', async () => {
    const { queue } = await make();
    const text = [
      JSON.stringify(draftInput(1)),
      '{not json',
      JSON.stringify({ ...draftInput(2), lead: { email: 'nope' } }),
      '',
      JSON.stringify({ ...draftInput(3), subject: '' }),
      JSON.stringify(draftInput(4, { id: undefined })),
      JSON.stringify({ lead: {}, body: 'x' }),
    ].join('\n');
    const report = await queue.importLines(text);
    expect(report.imported).toBe(2);
    expect(report.errors.map((e) => e.line)).toEqual([2, 3, 5, 7]);
    expect(report.errors[3]?.reason).toBe('lead.email is required; subject is required');
    expect(report.errors[0]?.reason).toMatch(/^not valid JSON/);
    expect(report.errors[1]?.reason).toContain('lead.email is not an email address');
    expect(report.errors[2]?.reason).toContain('subject is empty');
    const again = await queue.importLines(JSON.stringify(draftInput(1)));
    expect(again).toMatchObject({ imported: 0, existing: 1, errors: [] });
    const drafts = await queue.list();
    expect(drafts.map((d) => d.status)).toEqual(['pending', 'pending']);
    expect(drafts[0]).toMatchObject({
      id: 'd00001',
      canonical_email: 'lead1@company1.example',
      findings: [],
      decided_by: null,
      rejection: null,
    });
  });

  it('marks a second draft for the same person duplicate, and a suppressed address suppressed', async () => {
    const { queue } = await make();
    await queue.importLines(
      jsonl([
        draftInput(1, { lead: { email: 'John.Smith@gmail.com' } }),
        draftInput(2, { lead: { email: 'johnsmith+promo@googlemail.com' } }),
      ]),
    );
    expect(await queue.get('d00002')).toMatchObject({ status: 'duplicate', duplicate_of: 'd00001' });
    await queue.suppressAddress('someone@acme.io', 'unsubscribed', 'instantly');
    await queue.add(draftInput(3, { lead: { email: 'Someone+x@ACME.io' } }), 'api');
    expect(await queue.get('d00003')).toMatchObject({
      status: 'suppressed',
      suppression: { reason: 'unsubscribed' },
    });
    // An address sent to outside the queue is a duplicate too.
    await queue.recordExternalSend('sent@acme.io', 'instantly');
    await queue.add(draftInput(4, { lead: { email: 'sent@acme.io' } }), 'api');
    expect((await queue.get('d00004'))?.status).toBe('duplicate');
    // A rejected draft frees the address for a new draft.
    await queue.reject('d00001', 'maria', 'tone');
    await queue.add(draftInput(5, { lead: { email: 'john.smith@gmail.com' } }), 'api');
    expect((await queue.get('d00005'))?.status).toBe('pending');
  });

  it('streams a file opened before the store was ready, deduplicating addresses inside and across chunks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'caio-import-file-'));
    try {
      const path = join(dir, 'drafts.jsonl');
      writeFileSync(
        path,
        jsonl([
          draftInput(1, { lead: { email: 'ann@acme.io' } }),
          draftInput(2, { lead: { email: 'Ann+x@ACME.io' } }), // same chunk as 1
          draftInput(3),
          draftInput(4, { lead: { email: 'ann@acme.io' } }), // next chunk
          draftInput(5),
          draftInput(1), // re-sent id
        ]),
      );
      // The CLI opens the file, then the runtime: no line may be lost while that awaits real I/O.
      const source = await fileLines(path);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const { queue } = await make();
      const report = await queue.importStream(source, { batchSize: 3 });
      expect(report).toMatchObject({ imported: 5, existing: 1, errors: [] });
      expect(report.by_status).toEqual({ pending: 3, duplicate: 2 });
      expect(await queue.get('d00002')).toMatchObject({ status: 'duplicate', duplicate_of: 'd00001' });
      expect(await queue.get('d00004')).toMatchObject({ status: 'duplicate', duplicate_of: 'd00001' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('suppression turns the pending draft for that address into suppressed', async () => {
    const { queue } = await make();
    await queue.importLines(jsonl([draftInput(1, { lead: { email: 'a.b@gmail.com' } }), draftInput(2)]));
    expect(await queue.suppressAddress('AB@gmail.com', 'bounced', 'instantly')).toEqual({
      suppressedDrafts: 1,
    });
    expect((await queue.get('d00001'))?.status).toBe('suppressed');
    expect((await queue.get('d00002'))?.status).toBe('pending');
    expect(await queue.suppressAddress('ab@gmail.com', 'replied', 'instantly')).toEqual({
      suppressedDrafts: 0,
    });
  });

  it('approve, reject with a category, refuses unknown categories and ids, and audits each decision', async () => {
    const { queue, audit } = await make();
    await queue.importLines(jsonl([draftInput(1), draftInput(2)]));
    expect(await queue.approve('d00001', 'maria')).toMatchObject({ status: 'approved', decided_by: 'maria' });
    await expect(queue.reject('d00002', 'maria', 'rudeness')).rejects.toThrow(
      /Unknown rejection category "rudeness"/,
    );
    await expect(queue.reject('d00002', 'maria', 'rudeness')).rejects.toMatchObject({
      exitCode: 2,
      nextStep: 'Use one of: tone, personalization, accuracy, compliance, targeting.',
    });
    expect(await queue.reject('d00002', 'joe', 'accuracy', 'wrong revenue figure')).toMatchObject({
      status: 'rejected',
      rejection: { category: 'accuracy', note: 'wrong revenue figure' },
    });
    await expect(queue.approve('d00002', 'maria')).rejects.toMatchObject({
      code: 'invalid_transition',
      exitCode: 1,
    });
    await expect(queue.approve('missing', 'maria')).rejects.toMatchObject({
      code: 'draft_not_found',
      exitCode: 1,
    });
    const rows = (await audit.tail(10)).map((r) => [r.actor, r.action, r.subject]);
    expect(rows).toEqual([
      ['maria', 'queue.approve', 'd00001'],
      ['joe', 'queue.reject', 'd00002'],
    ]);
    expect(await audit.verify()).toMatchObject({ ok: true });
  });

  it('racing approve and reject resolve to exactly one outcome', async () => {
    const { queue } = await make();
    await queue.importLines(jsonl(Array.from({ length: 20 }, (_, i) => draftInput(i))));
    const ids = (await queue.list()).map((d) => d.id);
    for (const id of ids) {
      const results = await Promise.allSettled([
        queue.approve(id, 'maria'),
        queue.reject(id, 'joe', 'tone'),
        queue.approve(id, 'joe'),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const final = await queue.get(id);
      expect(['approved', 'rejected']).toContain(final?.status);
    }
    // Losers gave their capacity back: used approvals equal approved drafts.
    const metrics = await queue.metrics();
    const used = metrics.capacity.reviewers.reduce((n, r) => n + r.used, 0);
    expect(used).toBe(metrics.counts.approved);
  });

  it('refuses approvals past DAILY_APPROVAL_CAPACITY per reviewer, naming the capacity', async () => {
    const { queue } = await make({ env: { DAILY_APPROVAL_CAPACITY: '3' } });
    await queue.importLines(jsonl(Array.from({ length: 6 }, (_, i) => draftInput(i))));
    const results = await queue.approveMany(['d00000', 'd00001', 'd00002', 'd00003'], 'maria');
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false]);
    expect(results[3]).toMatchObject({
      code: 'capacity_reached',
      message:
        'Daily approval capacity reached: maria has used 3 of 3 approvals today (DAILY_APPROVAL_CAPACITY=3)',
    });
    expect((await queue.get('d00003'))?.status).toBe('pending');
    // Another reviewer has their own capacity; an undo gives one back.
    expect((await queue.approve('d00003', 'joe')).status).toBe('approved');
    await queue.undo('d00000', 'maria');
    expect((await queue.approve('d00004', 'maria')).status).toBe('approved');
    await expect(queue.approve('d00005', 'maria')).rejects.toMatchObject({ code: 'capacity_reached' });
  });

  it('undo works within the grace period only', async () => {
    let clock = Date.parse('2026-01-05T09:00:00.000Z');
    const world = await make({ now: () => clock });
    const { queue } = world;
    await queue.importLines(jsonl([draftInput(1), draftInput(2)]));
    await queue.reject('d00001', 'maria', 'tone');
    clock += UNDO_GRACE_MS - 1000;
    expect((await queue.undo('d00001', 'maria')).status).toBe('pending');
    await queue.approve('d00002', 'maria');
    clock += UNDO_GRACE_MS + 1;
    await expect(queue.undo('d00002', 'maria')).rejects.toMatchObject({ code: 'grace_expired', exitCode: 1 });
    expect((await queue.get('d00002'))?.status).toBe('approved');
  });

  it('scores drafts on entry with the injected rubric, and a throwing rubric becomes a finding', async () => {
    const world = await make();
    const queue = createQueueService({
      record: world.record,
      addresses: world.addresses,
      config: world.config,
      score: (input) =>
        input.draft.body.includes('guarantee')
          ? [
              {
                rule: 'banned_phrase',
                category: 'compliance',
                severity: 'critical',
                message: 'banned phrase "guarantee"',
              },
            ]
          : [],
    });
    await queue.add(draftInput(1, { body: 'We guarantee results' }), 'api');
    await queue.add(draftInput(2), 'api');
    expect((await queue.get('d00001'))?.findings).toEqual([
      {
        rule: 'banned_phrase',
        category: 'compliance',
        severity: 'critical',
        message: 'banned phrase "guarantee"',
      },
    ]);
    expect((await queue.get('d00002'))?.findings).toEqual([]);
    const broken = createQueueService({
      record: world.record,
      addresses: world.addresses,
      config: world.config,
      score: () => {
        throw new Error('boom');
      },
    });
    await broken.add(draftInput(3), 'api');
    expect((await broken.get('d00003'))?.findings[0]).toMatchObject({
      rule: 'rubric_error',
      message: expect.stringContaining('boom'),
    });
  });

  it('aging metrics and escalation of SLA breaches, once each', async () => {
    let clock = Date.parse('2026-01-05T09:00:00.000Z');
    const { queue, audit } = await make({ now: () => clock, env: { QUEUE_AGING_SLA_MINUTES: '60' } });
    await queue.add(draftInput(1), 'api');
    clock += 30 * 60_000;
    await queue.add(draftInput(2), 'api');
    clock += 40 * 60_000;
    const m = await queue.metrics();
    expect(m.aging).toEqual({ p50_minutes: 40, p95_minutes: 70, max_minutes: 70, pending: 2 });
    expect(m.sla).toMatchObject({ breaches: 1, breached_ids: ['d00001'] });
    expect(await queue.escalateBreaches()).toEqual({ breaches: 1, escalated: ['d00001'] });
    expect(await queue.escalateBreaches()).toEqual({ breaches: 1, escalated: [] });
    expect((await audit.tail(5)).filter((r) => r.action === 'queue.escalate')).toHaveLength(1);
  });
});
