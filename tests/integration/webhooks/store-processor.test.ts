import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { createWebhookProcessor } from '../../../src/runtime/services/webhook-processor.js';
import { createWebhookStore } from '../../../src/runtime/stores/webhook-store.js';
import { describeRecords } from '../../helpers/record.js';

const event = (key: string, body: unknown = { email: `${key}@acme.io` }) => ({
  source: 'clay',
  idempotencyKey: key,
  payload: Buffer.from(JSON.stringify(body)),
  status: 'stored' as const,
});

describeRecords('webhook store (group commit)', ({ kind, open, reopen }) => {
  it('commits the inserts of one turn together and detects duplicates inside the batch', async () => {
    const { record: db } = await open();
    const store = createWebhookStore(db);
    const results = await Promise.all([
      store.insert(event('a')),
      store.insert(event('b')),
      store.insert(event('a')),
    ]);
    expect(results.map((r) => r.duplicate)).toEqual([false, false, true]);
    expect(results[2]?.id).toBe(results[0]?.id);
    expect(await store.counts()).toEqual({ stored: 2, processed: 0, quarantined: 0 });
    const retry = await store.insert(event('b'));
    expect(retry).toMatchObject({ id: results[1]?.id, duplicate: true, status: 'stored' });
  });

  it('does not settle an insert before its transaction ran', async () => {
    const { record, config } = await open();
    const store = createWebhookStore(record);
    const other = await reopen(config);
    const pending = store.insert(event('x'));
    // SQLite: read synchronously, before the event loop could run the commit.
    if (kind === 'sqlite')
      expect(record.db.sqlite?.prepare('SELECT COUNT(*) AS n FROM webhook_events').get()).toEqual({ n: 0 });
    await pending;
    // Committed when it settles: another opener (another host on PostgreSQL) sees it.
    expect((await other.webhookEvents.counts()).stored).toBe(1);
  });

  it('rejects every insert of a failed batch, and refuses inserts after close', async () => {
    const { record: db } = await open();
    const store = createWebhookStore(db);
    if (kind === 'sqlite') {
      await sql`CREATE TRIGGER boom BEFORE INSERT ON webhook_events WHEN NEW.idempotency_key = 'bad' BEGIN SELECT RAISE(ABORT, 'boom'); END`.execute(
        db.db.kysely,
      );
    } else {
      await sql`CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.idempotency_key = 'bad' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$`.execute(
        db.db.kysely,
      );
      await sql`CREATE TRIGGER boom BEFORE INSERT ON webhook_events FOR EACH ROW EXECUTE FUNCTION boom()`.execute(
        db.db.kysely,
      );
    }
    const outcomes = await Promise.allSettled([store.insert(event('ok')), store.insert(event('bad'))]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect((await store.counts()).stored).toBe(0);
    await store.close();
    await expect(store.insert(event('late'))).rejects.toThrow(/closed/);
  });

  it('pages newest first with a cursor and filters by status and source', async () => {
    const { record: db } = await open();
    const store = createWebhookStore(db);
    for (let i = 0; i < 5; i++) await store.insert(event(`k${i}`));
    await store.insert({ ...event('q'), status: 'quarantined', error: 'bad row' });
    const first = await store.list({ limit: 2 });
    expect(first.events.map((e) => e.idempotency_key)).toEqual(['q', 'k4']);
    const second = await store.list({ limit: 2, after: first.next ?? undefined });
    expect(second.events.map((e) => e.idempotency_key)).toEqual(['k3', 'k2']);
    expect((await store.list({ status: 'quarantined' })).events).toMatchObject([{ error: 'bad row' }]);
    expect((await store.list({ source: 'rb2b' })).events).toEqual([]);
  });
});

describeRecords('webhook processor', ({ open }) => {
  it('leaves events stored while the needed service is absent, then processes them once it exists', async () => {
    const { record: db } = await open();
    const store = createWebhookStore(db);
    const { id } = await store.insert(event('lead-1'));
    const without = createWebhookProcessor({ store });
    expect(await without.processEvent(id)).toMatchObject({
      status: 'deferred',
      reason: expect.stringContaining('leads.upsertLead'),
    });
    expect((await store.get(id))?.status).toBe('stored');

    const upserted: string[] = [];
    const withLeads = createWebhookProcessor({
      store,
      leads: { upsertLead: (lead) => void upserted.push(lead.email) },
    });
    expect(await withLeads.processPending()).toEqual({ processed: 1, deferred: 0, failed: 0, skipped: 0 });
    expect(upserted).toEqual(['lead-1@acme.io']);
    expect((await store.get(id))?.status).toBe('processed');
  });

  it('counts failures and retries, up to the attempt limit', async () => {
    const { record: db } = await open();
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
    expect(await store.get(id)).toMatchObject({ status: 'stored', attempts: 1, error: 'CRM down' });
    fail = false;
    expect(await processor.processPending()).toMatchObject({ processed: 1 });
    expect(await store.get(id)).toMatchObject({ status: 'processed', error: null });
  });

  it('falls back to the in-process worker when the Inngest hand-off fails', async () => {
    const { record: db } = await open();
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
    for (let i = 0; i < 100 && (await store.get(id))?.status !== 'processed'; i++)
      await new Promise((r) => setTimeout(r, 10));
    await processor.idle();
    expect((await store.get(id))?.status).toBe('processed');
    expect(seen).toEqual(['h@acme.io']);
  });
});
