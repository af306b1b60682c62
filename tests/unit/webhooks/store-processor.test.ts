import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createWebhookProcessor } from '../../../src/runtime/services/webhook-processor.js';
import { createWebhookStore } from '../../../src/runtime/services/webhook-store.js';

const event = (key: string, body: unknown = { email: `${key}@acme.io` }) => ({
  source: 'clay',
  idempotencyKey: key,
  payload: Buffer.from(JSON.stringify(body)),
  status: 'stored' as const,
});

describe('webhook store (group commit)', () => {
  it('commits the inserts of one turn together and detects duplicates inside the batch', async () => {
    const db = new Database(':memory:');
    const store = createWebhookStore(db);
    const results = await Promise.all([
      store.insert(event('a')),
      store.insert(event('b')),
      store.insert(event('a')),
    ]);
    expect(results.map((r) => r.duplicate)).toEqual([false, false, true]);
    expect(results[2]?.id).toBe(results[0]?.id);
    expect(store.counts()).toEqual({ stored: 2, processed: 0, quarantined: 0 });
    const retry = await store.insert(event('b'));
    expect(retry).toMatchObject({ id: results[1]?.id, duplicate: true, status: 'stored' });
  });

  it('does not settle an insert before its transaction ran', async () => {
    const db = new Database(':memory:');
    const store = createWebhookStore(db);
    const pending = store.insert(event('x'));
    expect(db.prepare('SELECT COUNT(*) AS n FROM webhook_events').get()).toEqual({ n: 0 });
    await pending;
    expect(db.prepare('SELECT COUNT(*) AS n FROM webhook_events').get()).toEqual({ n: 1 });
  });

  it('rejects every insert of a failed batch, and refuses inserts after close', async () => {
    const db = new Database(':memory:');
    const store = createWebhookStore(db);
    db.exec(
      "CREATE TRIGGER boom BEFORE INSERT ON webhook_events WHEN NEW.idempotency_key = 'bad' BEGIN SELECT RAISE(ABORT, 'boom'); END",
    );
    const outcomes = await Promise.allSettled([store.insert(event('ok')), store.insert(event('bad'))]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(store.counts().stored).toBe(0);
    await store.close();
    await expect(store.insert(event('late'))).rejects.toThrow(/closed/);
  });

  it('pages newest first with a cursor and filters by status and source', async () => {
    const db = new Database(':memory:');
    const store = createWebhookStore(db);
    for (let i = 0; i < 5; i++) await store.insert(event(`k${i}`));
    await store.insert({ ...event('q'), status: 'quarantined', error: 'bad row' });
    const first = store.list({ limit: 2 });
    expect(first.events.map((e) => e.idempotency_key)).toEqual(['q', 'k4']);
    const second = store.list({ limit: 2, after: first.next ?? undefined });
    expect(second.events.map((e) => e.idempotency_key)).toEqual(['k3', 'k2']);
    expect(store.list({ status: 'quarantined' }).events).toMatchObject([{ error: 'bad row' }]);
    expect(store.list({ source: 'rb2b' }).events).toEqual([]);
  });
});

describe('webhook processor', () => {
  it('leaves events stored while the needed service is absent, then processes them once it exists', async () => {
    const db = new Database(':memory:');
    const store = createWebhookStore(db);
    const { id } = await store.insert(event('lead-1'));
    const without = createWebhookProcessor({ store });
    expect(await without.processEvent(id)).toMatchObject({
      status: 'deferred',
      reason: expect.stringContaining('leads.upsertLead'),
    });
    expect(store.get(id)?.status).toBe('stored');

    const upserted: string[] = [];
    const withLeads = createWebhookProcessor({
      store,
      leads: { upsertLead: (lead) => void upserted.push(lead.email) },
    });
    expect(await withLeads.processPending()).toEqual({ processed: 1, deferred: 0, failed: 0, skipped: 0 });
    expect(upserted).toEqual(['lead-1@acme.io']);
    expect(store.get(id)?.status).toBe('processed');
  });

  it('counts failures and retries, up to the attempt limit', async () => {
    const db = new Database(':memory:');
    const store = createWebhookStore(db);
    const { id } = await store.insert(event('f'));
    let fail = true;
    const processor = createWebhookProcessor({
      store,
      maxAttempts: 3,
      leads: {
        upsertLead: async () => {
          if (fail) throw new Error('CRM down');
        },
      },
    });
    expect(await processor.processEvent(id)).toMatchObject({ status: 'failed', error: 'CRM down' });
    expect(store.get(id)).toMatchObject({ status: 'stored', attempts: 1, error: 'CRM down' });
    fail = false;
    expect(await processor.processPending()).toMatchObject({ processed: 1 });
    expect(store.get(id)).toMatchObject({ status: 'processed', error: null });
  });

  it('falls back to the in-process worker when the Inngest hand-off fails', async () => {
    const db = new Database(':memory:');
    const store = createWebhookStore(db);
    const { id } = await store.insert(event('h'));
    const seen: string[] = [];
    const processor = createWebhookProcessor({
      store,
      leads: { upsertLead: (lead) => void seen.push(lead.email) },
      dispatch: async () => {
        throw new Error('inngest unreachable');
      },
    });
    processor.enqueue(id);
    for (let i = 0; i < 100 && store.get(id)?.status !== 'processed'; i++)
      await new Promise((r) => setTimeout(r, 10));
    await processor.idle();
    expect(store.get(id)?.status).toBe('processed');
    expect(seen).toEqual(['h@acme.io']);
  });
});
