/**
 * The queue's page query, change token and streamed import over each real store (the console's
 * contract with the record): filter by substring and regex (per field, `!` inverts), sort by age,
 * opaque cursor, total; a token that moves on every draft write, from any service on the store.
 */
import { expect, it } from 'vitest';
import { createQueueService } from '../../../src/runtime/services/queue.js';
import { textLines } from '../../../src/runtime/services/queue-import.js';
import { draftInput, jsonl } from '../../helpers/queue/drafts.js';
import { describeStores } from '../../helpers/queue/stores.js';

describeStores('queue page, change token, streamed import', (make) => {
  it('pages by cursor in age order either way, with the total of the filtered set', async () => {
    let clock = Date.parse('2026-11-21T09:00:00Z');
    const { queue } = await make({ now: () => (clock += 1000) });
    await queue.importLines(jsonl(Array.from({ length: 25 }, (_, i) => draftInput(i + 1))));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await queue.page({ limit: 10, ...(cursor ? { cursor } : {}) });
      expect(page.total).toBe(25);
      seen.push(...page.items.map((d) => d.id));
      cursor = page.next ?? undefined;
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `d${String(i + 1).padStart(5, '0')}`));
    const newest = await queue.page({ sort: '-age', limit: 3 });
    expect(newest.items.map((d) => d.id)).toEqual(['d00025', 'd00024', 'd00023']);
    // A regex per field (^ anchors at the start of the e-mail), `!` keeps the others.
    const regex = await queue.page({ pattern: '^lead1[0-9]@', limit: 50 });
    expect(regex.items.map((d) => d.id)).toEqual(Array.from({ length: 10 }, (_, i) => `d000${i + 10}`));
    const inverted = await queue.page({ pattern: '^lead1[0-9]@', invert: true, limit: 50 });
    expect(inverted.total).toBe(15);
    expect((await queue.page({ q: 'QUESTION 7', limit: 5 })).items.map((d) => d.id)).toEqual(['d00007']);
    await queue.approve('d00003', 'maria');
    expect((await queue.page({ status: 'approved' })).items.map((d) => d.id)).toEqual(['d00003']);
    await expect(queue.page({ pattern: 'a(b' })).rejects.toThrow('Not a valid pattern');
  });

  it('moves the change token on every draft write, including from another service on the store', async () => {
    const world = await make();
    const { queue } = world;
    const t0 = await queue.changeToken();
    await queue.importLines(jsonl([draftInput(1), draftInput(2)]));
    const t1 = await queue.changeToken();
    expect(t1).not.toBe(t0);
    expect(await queue.changeToken()).toBe(t1);
    // A second service over the same store (another process: the CLI next to a console).
    const other = createQueueService({
      record: world.record,
      addresses: world.addresses,
      config: world.config,
    });
    await other.approve('d00001', 'maria');
    const t2 = await queue.changeToken();
    expect(t2).not.toBe(t1);
    // The page reflects it (the cached read is keyed by the token).
    expect((await queue.page({ status: 'approved' })).total).toBe(1);
  });

  it('one identity, compared case-insensitively: undo and capacity', async () => {
    const { queue } = await make({ env: { DAILY_APPROVAL_CAPACITY: '1' } });
    await queue.importLines(jsonl([draftInput(1), draftInput(2)]));
    await queue.approve('d00001', 'Maria');
    await expect(queue.approve('d00002', 'maria')).rejects.toThrow('Daily approval capacity reached');
    expect((await queue.undo('d00001', 'MARIA')).status).toBe('pending');
    expect((await queue.approve('d00002', 'maria')).status).toBe('approved');
  });

  it('streams an import in batches, reporting progress, accepting harmless shapes', async () => {
    const { queue } = await make();
    const lines = [
      JSON.stringify({ ...draftInput(1), lead: { ...draftInput(1).lead, tier: 1 } }),
      JSON.stringify({ ...draftInput(2), unknown_field: { nested: true } }),
      `   ${JSON.stringify({ ...draftInput(3), subject: '  Padded subject  ' })}   `,
      '',
      JSON.stringify({ ...draftInput(4), lead: { email: '  Lead4@Company4.example ' } }),
      '{broken',
      JSON.stringify({ ...draftInput(5), body: '' }),
      JSON.stringify({ ...draftInput(6), lead: { email: 'not-an-email' } }),
    ];
    const progress: number[] = [];
    const report = await queue.importStream(textLines(lines.join('\n')), {
      batchSize: 3,
      onProgress: (p) => progress.push(p.lines),
    });
    expect(report.imported).toBe(4);
    expect(report.errors.map((e) => e.line)).toEqual([6, 7, 8]);
    // Batches of three non-blank lines: lines 1-3, 5-7 (line 4 is blank), 8.
    expect(progress).toEqual([3, 7, 8]);
    expect((await queue.get('d00001'))?.lead.tier).toBe('1');
    expect((await queue.get('d00003'))?.subject).toBe('Padded subject');
    expect((await queue.get('d00004'))?.canonical_email).toBe('lead4@company4.example');
    const again = await queue.importStream(textLines(lines.slice(0, 3).join('\n')));
    expect(again).toMatchObject({ imported: 0, existing: 3 });
  });
});
