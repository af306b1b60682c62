/**
 * The intake family of the record (webhook events, leads), the same contract on SQLite and
 * PostgreSQL: deduplication by (source, idempotency key) across every opener, paging newest first,
 * processing marks, atomic lead enrichment, and the embedded record of earlier versions kept.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createRecordStore } from '../../../src/runtime/stores/record/record.js';
import { webhookKeyHash, type NewWebhookEvent } from '../../../src/runtime/stores/record/tables/intake.js';
import { databasePath, openDatabase } from '../../../src/runtime/stores/sqlite/database.js';
import { describeRecords } from '../../helpers/record.js';

const event = (key: string, extra: Partial<NewWebhookEvent> = {}): NewWebhookEvent => ({
  source: 'clay',
  idempotencyKey: key,
  payload: Buffer.from(JSON.stringify({ email: `${key}@acme.io` })),
  status: 'stored',
  ...extra,
});

describeRecords('record intake: webhook events', ({ open, reopen }) => {
  it('stores each (source, key) once: duplicates inside a batch and across batches answer the first row', async () => {
    const { record } = await open();
    const first = await record.webhookEvents.insertMany([event('a'), event('b'), event('a')]);
    expect(first.map((r) => r.duplicate)).toEqual([false, false, true]);
    expect(first[2]?.id).toBe(first[0]?.id);
    const again = await record.webhookEvents.insertMany([
      event('b'),
      event('c'),
      event('b', { source: 'rb2b' }),
    ]);
    expect(again).toMatchObject([
      { id: first[1]?.id, duplicate: true, status: 'stored' },
      { duplicate: false },
      { duplicate: false },
    ]);
    expect(await record.webhookEvents.counts()).toEqual({ stored: 4, processed: 0, quarantined: 0 });
  });

  it('stores a batch larger than one INSERT statement, each row with its own payload and error', async () => {
    const { record } = await open();
    await record.webhookEvents.insertMany([event('big-7'), event('big-300')]);
    // 517 rows (two already stored, one repeated): cut into several statements of different sizes.
    const keys = [...Array.from({ length: 515 }, (_, i) => `big-${i}`), 'big-3', 'big-514'];
    const results = await record.webhookEvents.insertMany(
      keys.map((key, i) => event(key, i % 100 === 1 ? { status: 'quarantined', error: `bad ${key}` } : {})),
    );
    expect(results).toHaveLength(517);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(513);
    expect([results[7]?.duplicate, results[300]?.duplicate, results[515]?.duplicate]).toEqual([
      true,
      true,
      true,
    ]);
    expect(results[515]?.id).toBe(results[3]?.id);
    expect(new Set(results.map((r) => r.id)).size).toBe(515);
    const stored = await record.webhookEvents.get(results[401]?.id as number);
    expect(stored).toMatchObject({ idempotency_key: 'big-401', status: 'quarantined', error: 'bad big-401' });
    expect(JSON.parse(stored?.payload.toString() ?? '')).toEqual({ email: 'big-401@acme.io' });
    expect(await record.webhookEvents.counts()).toEqual({ stored: 509, processed: 0, quarantined: 6 });
  });

  it('deduplicates across openers (hosts) racing on the same keys', async () => {
    const { record, config } = await open();
    const other = await reopen(config);
    const keys = Array.from({ length: 50 }, (_, i) => `race-${i}`);
    const [mine, theirs] = await Promise.all([
      record.transaction((tx) => tx.webhookEvents.insertMany(keys.map((key) => event(key)))),
      other.transaction((tx) => tx.webhookEvents.insertMany([...keys].reverse().map((key) => event(key)))),
    ]);
    const fresh = [...mine, ...theirs].filter((result) => !result.duplicate);
    expect(fresh).toHaveLength(50);
    const ids = new Map(mine.map((result, i) => [keys[i], result.id]));
    theirs.forEach((result, i) => expect(result.id).toBe(ids.get(keys[49 - i])));
    expect((await record.webhookEvents.counts()).stored).toBe(50);
  });

  it('keeps two keys whose 48-bit hashes collide apart (SQLite finds keys by that hash)', async () => {
    // Found by a birthday search over `id:collide-N`; both hash to 57771460152903.
    const [one, two] = ['id:collide-4534719', 'id:collide-19900434'];
    expect(webhookKeyHash('clay', one)).toBe(webhookKeyHash('clay', two));
    const { record } = await open();
    const first = await record.webhookEvents.insertMany([event(one)]);
    const second = await record.webhookEvents.insertMany([event(two)]);
    expect(first[0]?.duplicate).toBe(false);
    expect(second[0]).toMatchObject({ duplicate: false });
    expect(second[0]?.id).not.toBe(first[0]?.id);
    const retries = await record.webhookEvents.insertMany([event(two), event(one)]);
    expect(retries).toEqual([
      { id: second[0]?.id, duplicate: true, status: 'stored' },
      { id: first[0]?.id, duplicate: true, status: 'stored' },
    ]);
    expect((await record.webhookEvents.counts()).stored).toBe(2);
  });

  it('stores nothing of a batch whose transaction fails', async () => {
    const { record } = await open();
    await expect(
      record.transaction(async (tx) => {
        await tx.webhookEvents.insertMany([event('x'), event('y')]);
        throw new Error('a later effect failed');
      }),
    ).rejects.toThrow('a later effect failed');
    expect(await record.webhookEvents.counts()).toEqual({ stored: 0, processed: 0, quarantined: 0 });
  });

  it('keeps the payload bytes exactly, even when they are not UTF-8', async () => {
    const { record } = await open();
    const payload = Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22]);
    const [stored] = await record.webhookEvents.insertMany([
      event('raw', { payload, status: 'quarantined', error: 'the body is not valid JSON' }),
    ]);
    const row = await record.webhookEvents.get(stored?.id ?? 0);
    expect(row?.payload.equals(payload)).toBe(true);
    expect(row).toMatchObject({ status: 'quarantined', error: 'the body is not valid JSON', attempts: 0 });
    expect(await record.webhookEvents.get(999_999)).toBeUndefined();
  });

  it('pages newest first with a cursor and filters by status and source', async () => {
    const { record } = await open();
    for (let i = 0; i < 5; i++) await record.webhookEvents.insertMany([event(`k${i}`)]);
    await record.webhookEvents.insertMany([event('q', { status: 'quarantined', error: 'bad row' })]);
    const first = await record.webhookEvents.list({ limit: 2 });
    expect(first.events.map((e) => e.idempotency_key)).toEqual(['q', 'k4']);
    const second = await record.webhookEvents.list({ limit: 2, after: first.next ?? undefined });
    expect(second.events.map((e) => e.idempotency_key)).toEqual(['k3', 'k2']);
    const last = await record.webhookEvents.list({ limit: 2, after: second.next ?? undefined });
    expect(last).toMatchObject({
      events: [{ idempotency_key: 'k1' }, { idempotency_key: 'k0' }],
      next: null,
    });
    expect((await record.webhookEvents.list({ status: 'quarantined' })).events).toMatchObject([
      { error: 'bad row' },
    ]);
    expect((await record.webhookEvents.list({ source: 'rb2b' })).events).toEqual([]);
    expect((await record.webhookEvents.list({ source: 'clay', status: 'stored' })).events).toHaveLength(5);
  });

  it('reads one source with payloads oldest first, a page per query after a cursor', async () => {
    const { record } = await open();
    await record.webhookEvents.insertMany([
      event('p0'),
      event('p1'),
      event('x', { source: 'rb2b' }),
      event('p2'),
    ]);
    const first = await record.webhookEvents.listPayloads({ source: 'clay', limit: 2 });
    expect(first.events.map((e) => e.idempotency_key)).toEqual(['p0', 'p1']);
    expect(JSON.parse(first.events[1]?.payload.toString() ?? '')).toEqual({ email: 'p1@acme.io' });
    const second = await record.webhookEvents.listPayloads({
      source: 'clay',
      limit: 2,
      since: first.next ?? 0,
    });
    expect(second.events.map((e) => e.idempotency_key)).toEqual(['p2']);
    expect(second.next).toBeNull();
  });

  it('tracks processing: pending oldest first, failures counted up to a limit, processed once', async () => {
    const { record, config } = await open();
    const [a, b] = await record.webhookEvents.insertMany([event('p1'), event('p2')]);
    const idA = a?.id ?? 0;
    const idB = b?.id ?? 0;
    expect(await record.webhookEvents.pendingIds(10)).toEqual([idA, idB]);
    await record.webhookEvents.markFailed(idA, 'CRM down');
    await record.webhookEvents.markFailed(idA, 'CRM still down');
    expect(await record.webhookEvents.get(idA)).toMatchObject({
      status: 'stored',
      attempts: 2,
      error: 'CRM still down',
    });
    expect(await record.webhookEvents.pendingIds(10, 2)).toEqual([idB]);
    const other = await reopen(config);
    const flips = await Promise.all([
      record.webhookEvents.markProcessed(idB),
      other.webhookEvents.markProcessed(idB),
    ]);
    expect(flips.filter(Boolean)).toHaveLength(1);
    expect(await record.webhookEvents.get(idB)).toMatchObject({
      status: 'processed',
      attempts: 1,
      error: null,
      processed_at: expect.any(String),
    });
    expect(await record.webhookEvents.pendingIds(10)).toEqual([idA]);
  });
});

describeRecords('record intake: leads', ({ open, reopen }) => {
  it('creates one lead per person and enriches it without erasing known fields', async () => {
    let clock = Date.parse('2026-11-29T10:00:00Z');
    const { record } = await open({ now: () => clock });
    await record.leads.upsert(
      'janedoe@gmail.com',
      { email: 'Jane.Doe@gmail.com', first_name: 'Jane', company: 'Acme' },
      'rb2b',
    );
    clock += 60_000;
    const merged = await record.leads.upsert(
      'janedoe@gmail.com',
      { email: 'janedoe+x@googlemail.com', title: 'VP Sales', company: '' },
      'clay',
    );
    expect(merged).toMatchObject({
      canonical_email: 'janedoe@gmail.com',
      first_name: 'Jane',
      company: 'Acme',
      title: 'VP Sales',
      sources: ['rb2b', 'clay'],
      first_seen_at: '2026-11-29T10:00:00.000Z',
      updated_at: '2026-11-29T10:01:00.000Z',
    });
    const again = await record.leads.upsert('janedoe@gmail.com', { email: 'jane.doe@gmail.com' }, 'rb2b');
    expect(again.sources).toEqual(['rb2b', 'clay']);
    expect(again).not.toHaveProperty('last_name');
    expect(await record.leads.count()).toBe(1);
    expect((await record.leads.get('janedoe@gmail.com'))?.title).toBe('VP Sales');
    expect(await record.leads.get('nobody@acme.io')).toBeUndefined();
  });

  it('concurrent enrichments of one person from several openers all land', async () => {
    const { record, config } = await open();
    const other = await reopen(config);
    await Promise.all([
      record.leads.upsert('a@acme.io', { email: 'a@acme.io', first_name: 'Ann' }, 'rb2b'),
      other.leads.upsert('a@acme.io', { email: 'a@acme.io', last_name: 'Lee' }, 'clay'),
      record.leads.upsert('a@acme.io', { email: 'a@acme.io', title: 'CRO' }, 'clay'),
      other.leads.upsert('a@acme.io', { email: 'a@acme.io', website: 'acme.io' }, 'rb2b'),
    ]);
    const lead = await record.leads.get('a@acme.io');
    expect(lead).toMatchObject({ first_name: 'Ann', last_name: 'Lee', title: 'CRO', website: 'acme.io' });
    expect([...(lead?.sources ?? [])].sort()).toEqual(['clay', 'rb2b']);
  });

  it('lists leads in pages', async () => {
    const { record } = await open();
    for (const name of ['c', 'a', 'b'])
      await record.leads.upsert(`${name}@acme.io`, { email: `${name}@acme.io` }, 'clay');
    const first = await record.leads.list({ limit: 2 });
    expect(first.leads.map((lead) => lead.canonical_email)).toEqual(['a@acme.io', 'b@acme.io']);
    const second = await record.leads.list({ limit: 2, after: first.next ?? undefined });
    expect(second).toMatchObject({ leads: [{ canonical_email: 'c@acme.io' }], next: null });
  });
});

// Earlier versions created `webhook_events` in HIVE_DIR/caio.db themselves: the record keeps those rows.
const LEGACY_SCHEMA = `
CREATE TABLE IF NOT EXISTS webhook_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  source TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('stored', 'processed', 'quarantined')),
  received_at TEXT NOT NULL,
  processed_at TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  payload BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS webhook_events_key ON webhook_events (source, idempotency_key);
CREATE INDEX IF NOT EXISTS webhook_events_status ON webhook_events (status, id);
`;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

it('an embedded record refuses a webhook row without its key hash (a process of an older caio)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'caio-keyhash-'));
  dirs.push(dir);
  const record = await createRecordStore({ HIVE_DIR: dir });
  await record.close();
  const older = openDatabase(databasePath(dir));
  try {
    expect(() =>
      older
        .prepare(
          "INSERT INTO webhook_events (source, idempotency_key, status, received_at, payload) VALUES ('clay', 'id:x', 'stored', '2026-11-30T00:00:00.000Z', ?)",
        )
        .run(Buffer.from('{}')),
    ).toThrow(/key_hash is required/);
  } finally {
    older.close();
  }
});

it('an embedded record from an earlier version keeps its webhook events and their dedup', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'caio-legacy-'));
  dirs.push(dir);
  const legacy = openDatabase(databasePath(dir));
  legacy.exec(LEGACY_SCHEMA);
  legacy
    .prepare(
      "INSERT INTO webhook_events (source, idempotency_key, status, received_at, payload) VALUES ('clay', 'id:old-1', 'processed', '2026-11-01T00:00:00.000Z', ?)",
    )
    .run(Buffer.from('{"email":"old@acme.io"}'));
  legacy.close();

  const record = await createRecordStore({ HIVE_DIR: dir });
  try {
    const page = await record.webhookEvents.list();
    expect(page.events).toMatchObject([{ id: 1, idempotency_key: 'id:old-1', status: 'processed' }]);
    const [retry, next] = await record.webhookEvents.insertMany([event('id:old-1'), event('id:new-1')]);
    expect(retry).toMatchObject({ id: 1, duplicate: true, status: 'processed' });
    expect(next).toMatchObject({ id: 2, duplicate: false });
  } finally {
    await record.close();
  }
});
