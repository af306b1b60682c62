import { sql } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createRecordStore } from '../../../src/runtime/stores/record/record.js';
import { databasePath, openDatabase } from '../../../src/runtime/stores/sqlite/database.js';
import { describeRecords } from '../../helpers/record.js';

const T0 = Date.parse('2026-11-29T10:00:00.000Z');

describeRecords('record addresses', ({ open, reopen }) => {
  it('keeps the first suppression of an address and reports it to every opener', async () => {
    const { record, config } = await open();
    expect(await record.addresses.suppression('ann@example.com')).toBeUndefined();
    expect(await record.addresses.suppress('ann@example.com', 'unsubscribe', 'instantly', T0)).toBe(true);
    expect(await record.addresses.suppress('ann@example.com', 'bounce', 'heyreach', T0 + 1000)).toBe(false);
    const other = await reopen(config);
    expect(await other.addresses.suppression('ann@example.com')).toEqual({
      reason: 'unsubscribe',
      source: 'instantly',
      at: '2026-11-29T10:00:00.000Z',
    });
  });

  it('commits a suppression with the transaction it is part of, and not when it rolls back', async () => {
    const { record } = await open();
    await expect(
      record.transaction(async (tx) => {
        await tx.addresses.suppress('bob@example.com', 'reply', 'instantly', T0);
        throw new Error('intake failed');
      }),
    ).rejects.toThrow('intake failed');
    expect(await record.addresses.suppression('bob@example.com')).toBeUndefined();
    await record.transaction(async (tx) => {
      await tx.addresses.suppress('bob@example.com', 'reply', 'instantly', T0);
      await tx.audit.append({ actor: 'system', action: 'address.suppress', subject: 'bob@example.com' });
    });
    expect((await record.addresses.suppression('bob@example.com'))?.reason).toBe('reply');
    expect(await record.audit.count()).toBe(1);
  });

  it('records an external send once and counts it as sent', async () => {
    const { record } = await open();
    expect(await record.addresses.recordExternalSend('cy@example.com', 'instantly', T0)).toBe(true);
    expect(await record.addresses.recordExternalSend('cy@example.com', 'instantly', T0 + 5)).toBe(false);
    const facts = await record.addresses.lookup(['cy@example.com', 'dee@example.com']);
    expect([...facts.sent]).toEqual(['cy@example.com']);
    expect(facts.suppressed.size).toBe(0);
  });

  it('looks up thousands of addresses: suppressed with their reason, sent from the ledger and external sends', async () => {
    const { record } = await open();
    const addresses = Array.from({ length: 2500 }, (_, i) => `a${i}@example.com`);
    await record.transaction(async (tx) => {
      for (let i = 0; i < addresses.length; i += 100)
        await tx.addresses.suppress(addresses[i] ?? '', 'bounce', 'instantly', T0);
      await tx.addresses.recordExternalSend('a7@example.com', 'instantly', T0);
    });
    const ledger = (draft: string, email: string, status: string, mode: string) =>
      sql`insert into send_ledger (draft_id, batch_id, canonical_email, email, subject, body, mode, status, day, created_at, updated_at)
          values (${draft}, 'b1', ${email}, ${email}, 's', 'b', ${mode}, ${status}, '2026-11-29', 'x', 'x')`.execute(
        record.db.kysely,
      );
    await ledger('d1', 'a1@example.com', 'sent', 'live');
    await ledger('d2', 'a2@example.com', 'intent', 'whitelist');
    await ledger('d3', 'a3@example.com', 'unknown', 'live');
    await ledger('d4', 'a4@example.com', 'failed', 'live');
    await ledger('d5', 'a5@example.com', 'sent', 'log-only');
    await ledger('d6', 'a2001@example.com', 'sent', 'live');
    const facts = await record.addresses.lookup([...addresses, 'a1@example.com']);
    expect(facts.suppressed.size).toBe(25);
    expect(facts.suppressed.get('a100@example.com')).toEqual({
      reason: 'bounce',
      source: 'instantly',
      at: '2026-11-29T10:00:00.000Z',
    });
    expect([...facts.sent].sort()).toEqual([
      'a1@example.com',
      'a2001@example.com',
      'a2@example.com',
      'a3@example.com',
      'a7@example.com',
    ]);
  });

  it('refuses a second live send to one address in the ledger', async () => {
    const { record } = await open();
    const insert = (draft: string, mode: string) =>
      sql`insert into send_ledger (draft_id, batch_id, canonical_email, email, subject, body, mode, status, day, created_at, updated_at)
          values (${draft}, 'b1', 'eve@example.com', 'eve@example.com', 's', 'b', ${mode}, 'intent', '2026-11-29', 'x', 'x')`.execute(
        record.db.kysely,
      );
    await insert('d1', 'live');
    await insert('d2', 'log-only');
    await expect(insert('d3', 'live')).rejects.toThrow();
  });
});

it('carries suppressions, sends and the ramp history of an earlier embedded record into the record', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'caio-legacy-'));
  try {
    const legacy = openDatabase(databasePath(dir));
    legacy.exec(`
      CREATE TABLE sent_log (draft_id TEXT PRIMARY KEY, batch_id TEXT NOT NULL, canonical_email TEXT NOT NULL,
        email TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL, mode TEXT NOT NULL, status TEXT NOT NULL,
        provider_id TEXT, detail TEXT, day TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE TABLE sent_addresses (canonical_email TEXT PRIMARY KEY, first_sent_at TEXT NOT NULL, source TEXT NOT NULL);
      CREATE TABLE suppressions (canonical_email TEXT PRIMARY KEY, reason TEXT NOT NULL, source TEXT NOT NULL, at TEXT NOT NULL);
      CREATE TABLE ramp_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, tier INTEGER, day TEXT NOT NULL,
        at TEXT NOT NULL, actor TEXT NOT NULL, note TEXT);
      INSERT INTO sent_log VALUES ('d1', 'b1', 'sent@example.com', 'sent@example.com', 's', 'b', 'live', 'sent', 'p1', NULL,
        '2026-11-28', '2026-11-28T10:00:00.000Z', '2026-11-28T10:00:01.000Z');
      INSERT INTO sent_addresses VALUES ('ext@example.com', '2026-11-27T10:00:00.000Z', 'instantly');
      INSERT INTO suppressions VALUES ('gone@example.com', 'unsubscribe', 'instantly', '2026-11-26T10:00:00.000Z');
      INSERT INTO ramp_events (kind, tier, day, at, actor, note) VALUES ('graduation', 1, '2026-11-20', '2026-11-20T09:00:00.000Z', 'pto', NULL);
    `);
    legacy.close();
    const record = await createRecordStore({ HIVE_DIR: dir });
    try {
      const facts = await record.addresses.lookup([
        'sent@example.com',
        'ext@example.com',
        'gone@example.com',
        'new@example.com',
      ]);
      expect([...facts.sent].sort()).toEqual(['ext@example.com', 'sent@example.com']);
      expect(facts.suppressed.get('gone@example.com')?.reason).toBe('unsubscribe');
      const ramp = await record.db.kysely.selectFrom('ramp_history').selectAll().execute();
      expect(ramp.map((row) => [row.kind, row.tier, row.day])).toEqual([['graduation', 1, '2026-11-20']]);
    } finally {
      await record.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
