import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tailTraces } from '../../../src/runtime/services/traces.js';
import { PIPELINE_CHUNK } from '../../../src/runtime/services/pipeline.js';
import { createPipeline } from '../../../src/runtime/services/pipeline-wiring.js';
import { defaultGoldenSetDir } from '../../../src/runtime/services/rubric-config.js';
import type { Runtime } from '../../../src/runtime/services/runtime.js';
import { clayRow, openTestRuntime, rb2bVisit } from '../../helpers/pipeline-runtime.js';
import { useTempDir } from '../../helpers/temp.js';

const tempDir = useTempDir();
const open: Runtime[] = [];
afterEach(async () => {
  for (const runtime of open.splice(0)) await runtime.close();
});

async function setup(goldenSetDir?: string) {
  const runtime = await openTestRuntime(tempDir());
  open.push(runtime);
  const pipeline = createPipeline({ ...runtime, goldenSetDir });
  return { runtime, pipeline };
}

describe('pipeline run', () => {
  it('drafts RB2B and Clay leads into pending drafts that pass the rubric, once per lead', async () => {
    const { runtime, pipeline } = await setup();
    await rb2bVisit(runtime, {
      email: 'sam@tiltdesk.io',
      first: 'Sam',
      company: 'Tiltdesk',
      title: 'Head of Sales',
      url: 'https://quorra.ai/products/quorra-forecast',
      industry: 'Computer Software',
    });
    await clayRow(runtime, {
      email: 'chris@fleetbase.io',
      first_name: 'Chris',
      company: 'Fleetbase',
      title: 'VP of Sales',
      segment: 'mid-market',
      employees: '240',
    });
    const report = await pipeline.run({ mode: 'development', actor: 'ops' });
    expect(report).toMatchObject({ considered: 2, drafted: 2, by_status: { pending: 2 }, skipped: {} });
    expect(report.templates).toEqual({ default: 1, 'mid-market': 1 });

    const drafts = await runtime.queue.list();
    expect(drafts.map((d) => [d.lead.email, d.motion, d.status, d.source])).toEqual(
      expect.arrayContaining([
        ['sam@tiltdesk.io', 'inbound', 'pending', 'pipeline'],
        ['chris@fleetbase.io', 'outbound', 'pending', 'pipeline'],
      ]),
    );
    for (const draft of drafts) {
      // Scored on entry; nothing a reviewer would reject for.
      expect(
        draft.findings.filter((f) => f.severity === 'critical' || f.severity === 'major'),
        draft.body,
      ).toEqual([]);
      expect(draft.body).not.toMatch(/\{\{|\}\}/);
    }
    const sam = drafts.find((d) => d.lead.email === 'sam@tiltdesk.io');
    expect(sam?.body).toContain('Noticed someone at Tiltdesk reading the quorra forecast page');
    expect(sam?.context.map((c) => c.ref)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^rb2b:visit:/)]),
    );
    const chris = drafts.find((d) => d.lead.email === 'chris@fleetbase.io');
    expect(chris?.context.some((c) => c.text.includes('employees: 240'))).toBe(true);

    const again = await pipeline.run({ mode: 'development', actor: 'ops' });
    expect(again).toMatchObject({ drafted: 0, skipped: { already_drafted: 2 } });
    expect(await runtime.queue.list()).toHaveLength(2);
    const rows = (await runtime.audit.tail(5)).filter((row) => row.action === 'pipeline.run');
    expect(rows.length).toBe(2);
    runtime.traces.flush();
    const { envelopes } = await tailTraces(runtime.traces.file, { limit: 50 });
    const runs = envelopes.filter((e) => e.tool_name === 'pipeline.run');
    expect(runs.map((e) => [e.status, e.agent])).toEqual([
      ['success', 'pipeline'],
      ['success', 'pipeline'],
    ]);
  });

  it('skips suppressed, already-sent and token-less leads with the reason, and honours --source and --limit', async () => {
    const { runtime, pipeline } = await setup();
    await clayRow(runtime, { email: 'gone@acme.io', first_name: 'Gina', company: 'Acme' });
    await clayRow(runtime, { email: 'sent@acme.io', first_name: 'Sid', company: 'Acme' });
    await clayRow(runtime, { email: 'anon@acme.io', company: 'Acme' });
    await clayRow(runtime, { email: 'ok1@beta.io', first_name: 'Olga', company: 'Beta' });
    await clayRow(runtime, { email: 'ok2@beta.io', first_name: 'Omar', company: 'Beta' });
    await rb2bVisit(runtime, { email: 'visitor@gamma.io', first: 'Vic', company: 'Gamma' });
    await runtime.queue.suppressAddress('gone@acme.io', 'unsubscribed', 'instantly');
    await runtime.queue.recordExternalSend('sent@acme.io', 'instantly');

    const report = await pipeline.run({ mode: 'development', actor: 'ops', source: 'clay', limit: 1 });
    expect(report.considered).toBe(5);
    expect(report.drafted).toBe(1);
    expect(report.skipped).toEqual({ suppressed: 1, already_sent: 1, unresolved_token: 1 });
    const anon = report.skipped_examples.find((e) => e.email === 'anon@acme.io');
    expect(anon?.detail).toContain('{{first_name}}');

    const rest = await pipeline.run({ mode: 'development', actor: 'ops', source: 'clay' });
    expect(rest).toMatchObject({ drafted: 1, skipped: { already_drafted: 1 } });
    const drafts = await runtime.queue.list();
    expect(drafts.map((d) => d.lead.email).sort()).toEqual(['ok1@beta.io', 'ok2@beta.io']);
  });

  it('stops before drafting anything when a template has an unknown token, naming template and token', async () => {
    const golden = tempDir();
    cpSync(join(defaultGoldenSetDir(), 'templates'), join(golden, 'templates'), { recursive: true });
    writeFileSync(
      join(golden, 'templates', 'smb.md'),
      '---\nsubject: Hi {{company}}\n---\nHi {{first_name}}, about {{favourite_color}}.\n',
    );
    const { runtime, pipeline } = await setup(golden);
    await clayRow(runtime, { email: 'a@acme.io', first_name: 'Ann', company: 'Acme' });
    await expect(pipeline.run({ mode: 'development', actor: 'ops' })).rejects.toMatchObject({
      code: 'template_unknown_token',
      message: expect.stringMatching(/smb\.md.*\{\{favourite_color\}\}/),
    });
    expect(await runtime.queue.list()).toEqual([]);
  });

  it('refuses a second run while one holds the lock', async () => {
    const { runtime, pipeline } = await setup();
    const lock = await runtime.state.acquireLock('pipeline-run', 60_000);
    expect(lock).toBeDefined();
    await expect(pipeline.run({ mode: 'development', actor: 'ops' })).rejects.toMatchObject({
      code: 'pipeline_busy',
    });
    if (lock) await runtime.state.releaseLock(lock);
  });

  it('stores the drafts a chunk per transaction, not one transaction per draft', async () => {
    const { runtime, pipeline } = await setup();
    const count = PIPELINE_CHUNK + 100;
    for (let n = 0; n < count; n += 1) {
      await runtime.leads.upsertLead(
        {
          email: `lead${n}@company${n}.example`,
          first_name: 'Sam',
          company: `Company${n}`,
          title: 'Head of Sales',
          ...(n % 2 === 0 ? { segment: 'mid-market' } : {}),
        },
        'clay',
      );
    }
    const transactions = vi.spyOn(runtime.record, 'transaction');
    const progress: [number, number][] = [];
    const report = await pipeline.run({
      mode: 'development',
      actor: 'ops',
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(report).toMatchObject({ considered: count, drafted: count, by_status: { pending: count } });
    expect(report.templates).toEqual({ 'mid-market': count / 2, default: count / 2 });
    expect(progress).toEqual([
      [PIPELINE_CHUNK, count],
      [count, count],
    ]);
    // Two chunks of drafts plus the run's own bookkeeping (audit), far below one per draft.
    expect(transactions.mock.calls.length).toBeLessThanOrEqual(4);
    const drafts = await runtime.queue.list();
    expect(drafts).toHaveLength(count);
    expect(drafts.every((d) => d.source === 'pipeline' && d.status === 'pending')).toBe(true);
    // A rerun drafts nothing new.
    const again = await pipeline.run({ mode: 'development', actor: 'ops' });
    expect(again).toMatchObject({ drafted: 0, skipped: { already_drafted: count } });
  });
});
