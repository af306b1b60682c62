import { InngestTestEngine } from '@inngest/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/runtime/config.js';
import { createInngestRuntime } from '../../src/runtime/services/inngest/client.js';
import { cronJobs, createScheduler } from '../../src/runtime/services/inngest/scheduler.js';
import type { JobDeps } from '../../src/runtime/services/inngest/jobs.js';
import { createWebhookProcessor } from '../../src/runtime/services/webhook-processor.js';
import { createWebhookStore } from '../../src/runtime/stores/webhook-store.js';
import { createRecordStore, type RecordStore } from '../../src/runtime/stores/record/record.js';

const SIGNING_KEY = `signkey-prod-${'0123456789abcdef'.repeat(4)}`;

const opened: { record: RecordStore; dir: string }[] = [];
afterEach(async () => {
  for (const { record, dir } of opened.splice(0)) {
    await record.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'caio-inngest-'));
  const db = await createRecordStore({ HIVE_DIR: dir });
  opened.push({ record: db, dir });
  const store = createWebhookStore(db);
  const calls: string[] = [];
  const processor = createWebhookProcessor({
    store,
    queue: {
      suppressAddress: async (email, reason, source) => {
        calls.push(`suppress ${email} ${reason} ${source}`);
        return { suppressedDrafts: 2 };
      },
    },
  });
  const deps: JobDeps = {
    config: parseConfig({ INNGEST_SIGNING_KEY: SIGNING_KEY, TRACE_RETENTION_DAYS: '7' }),
    processor,
    queue: { escalateBreaches: async () => (calls.push('escalate'), { escalated: 3 }) },
    traces: { prune: async (days?: number) => (calls.push(`prune ${days}`), { removed: 5 }) },
    replay: { runGate: async () => (calls.push('replay'), { pass_rate: 0.98, block_build: false }) },
  };
  const inngest = createInngestRuntime(deps.config, deps);
  const fn = (id: string) => {
    const found = inngest.functions.find((candidate) =>
      candidate.id(deps.config.INNGEST_APP_ID).endsWith(id),
    );
    if (!found) throw new Error(`no function ${id}`);
    return found;
  };
  return { db, store, calls, deps, inngest, fn };
}

describe('Inngest functions', () => {
  it('registers four functions with the app id, in cloud mode', async () => {
    const { inngest } = await setup();
    expect(inngest.mode).toBe('cloud');
    expect(inngest.functionCount).toBe(4);
    expect(inngest.functions.map((f) => f.id('caio-alpha-swarm'))).toEqual([
      'caio-alpha-swarm-trace-retention',
      'caio-alpha-swarm-queue-aging-watch',
      'caio-alpha-swarm-weekly-replay-gate',
      'caio-alpha-swarm-webhook-processor',
    ]);
  });

  it('runs the cron bodies against the services', async () => {
    const { calls, fn } = await setup();
    const retention = await new InngestTestEngine({ function: fn('trace-retention') }).execute();
    expect(retention.result).toEqual({ status: 'ok', result: { removed: 5 } });
    const aging = await new InngestTestEngine({ function: fn('queue-aging-watch') }).execute();
    expect(aging.result).toEqual({ status: 'ok', result: { escalated: 3 } });
    const replay = await new InngestTestEngine({ function: fn('weekly-replay-gate') }).execute();
    expect(replay.result).toMatchObject({ status: 'ok', result: { pass_rate: 0.98 } });
    expect(calls).toEqual(['prune 7', 'escalate', 'replay']);
  });

  it('processes a stored webhook event on caio/webhook.received', async () => {
    const { store, calls, fn } = await setup();
    const body = Buffer.from(JSON.stringify({ event_type: 'email_bounced', lead_email: 'x@acme.io' }));
    const { id } = await store.insert({
      source: 'instantly',
      idempotencyKey: 'k1',
      payload: body,
      status: 'stored',
    });
    const engine = new InngestTestEngine({
      function: fn('webhook-processor'),
      events: [{ name: 'caio/webhook.received', data: { id } }],
    });
    const run = await engine.execute();
    expect(run.result).toEqual({ id, status: 'processed', effects: 1 });
    expect(calls).toEqual(['suppress x@acme.io bounced instantly']);
    expect((await store.get(id))?.status).toBe('processed');
    const again = await new InngestTestEngine({
      function: fn('webhook-processor'),
      events: [{ name: 'caio/webhook.received', data: { id } }],
    }).execute();
    expect(again.result).toMatchObject({ status: 'skipped' });
  });

  it('in-process scheduler runs the same bodies when Inngest is not configured', async () => {
    const { deps, calls } = await setup();
    const scheduler = createScheduler({ jobs: cronJobs(deps) });
    expect(await scheduler.runNow('trace-retention')).toEqual({ status: 'ok', result: { removed: 5 } });
    expect(await scheduler.runNow('queue-aging-watch')).toEqual({ status: 'ok', result: { escalated: 3 } });
    expect(await scheduler.runNow('weekly-replay-gate')).toMatchObject({ status: 'ok' });
    expect(calls).toEqual(['prune 7', 'escalate', 'replay']);
    expect(createInngestRuntime(parseConfig({}), deps).mode).toBe('embedded');
  });

  it('reports skipped jobs when their service is absent', async () => {
    const { deps } = await setup();
    const bare: JobDeps = { config: deps.config, processor: deps.processor };
    const scheduler = createScheduler({ jobs: cronJobs(bare) });
    expect(await scheduler.runNow('trace-retention')).toMatchObject({ status: 'skipped' });
    expect(await scheduler.runNow('queue-aging-watch')).toMatchObject({ status: 'skipped' });
  });
});
