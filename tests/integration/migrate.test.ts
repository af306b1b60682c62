/**
 * `caio migrate` on real stores: an embedded record (SQLite in a temp HIVE_DIR) filled through the real
 * runtime services, copied into a private PostgreSQL database, with Redis seeded on a private
 * redis-server. Idempotence, verification (a tampered shared record fails), the record id policy, and
 * the runbooks' one-host cutover (Redis, no PostgreSQL).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as migrateCommand from '../../src/commands/migrate.js';
import { parseConfig } from '../../src/runtime/config.js';
import { createRuntime } from '../../src/runtime/services/runtime.js';
import { runMigrate, type MigrateSummary } from '../../src/runtime/tasks/migrate.js';
import { DERIVED_TABLES, recordTables } from '../../src/runtime/stores/record/copy-record.js';
import { createRecordStore, type RecordStore } from '../../src/runtime/stores/record/record.js';
import { registeredRecordId, registerRecordId } from '../../src/runtime/stores/redis/record-registration.js';
import { createRedisStateStore } from '../../src/runtime/stores/redis/redis-state-store.js';
import { coordinationPath, openDatabase } from '../../src/runtime/stores/sqlite/database.js';
import { createSqliteStateStore } from '../../src/runtime/stores/sqlite/sqlite-state-store.js';
import { createTestDatabase } from '../helpers/postgres-server.js';
import { draftInput, jsonl, makeDraft } from '../helpers/queue/drafts.js';
import { POSTGRES_FOR_TESTS } from '../helpers/record.js';
import { REDIS_AVAILABLE, startRedis, type TestRedis } from '../helpers/redis-server.js';
import { runCommand } from '../helpers/store-command.js';
import { redisStoreConfig } from '../helpers/store-config.js';
import { useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();

function redisEnv(url: string, prefix: string): Record<string, string> {
  return {
    REDIS_URL: url,
    STATE_REDIS_PREFIX: `${prefix}:state`,
    CONTEXT_REDIS_PREFIX: `${prefix}:context`,
    RATE_LIMIT_REDIS_NAMESPACE: `${prefix}:ratelimit`,
  };
}

const BASE_ENV = { EMAIL_SEND_MODE: 'log-only', DAILY_APPROVAL_CAPACITY: '1000' };

/** Tables the populated hive must fill: every family the record holds today. */
const FILLED = [
  'drafts',
  'batches',
  'batch_items',
  'batch_runs',
  'send_ledger',
  'ramp_history',
  'address_suppressions',
  'webhook_events',
  'leads',
  'operators',
  'audit_log',
];

/** An embedded installation that has been used: every table family filled through the real services. */
async function populateHive(): Promise<{ hive: string; batchId: string }> {
  const hive = tempDir();
  const runtime = await createRuntime(parseConfig({ ...BASE_ENV, HIVE_DIR: hive }), { twoPersonRule: false });
  try {
    const inputs = Array.from({ length: 6 }, (_, i) => draftInput(i));
    await runtime.queue.importLines(jsonl(inputs));
    const ids = inputs.map((input) => input.id!);
    expect((await runtime.queue.approveMany(ids.slice(0, 3), 'maria')).every((r) => r.ok)).toBe(true);
    await runtime.queue.reject(ids[3]!, 'maria', 'tone', 'too pushy');
    const batch = await runtime.gatekeeper.preview({ ids: ids.slice(0, 3) }, 'pat');
    const executed = await runtime.gatekeeper.execute(batch.id, batch.hash, 'pat');
    expect(executed.counts.sent).toBe(3);
    await runtime.ramp.recordIncident('pat', 'bounce spike');
    await runtime.webhooks.insert({
      source: 'instantly',
      idempotencyKey: 'evt-unsub-1',
      payload: Buffer.from(JSON.stringify({ event_type: 'lead_unsubscribed', lead_email: 'gone@x.example' })),
      status: 'stored',
      effects: [{ kind: 'suppress', email: 'gone@x.example', reason: 'unsubscribed' }],
    });
    await runtime.webhooks.insert({
      source: 'rb2b',
      idempotencyKey: 'rb2b-1',
      payload: Buffer.from([0, 1, 2, 255]),
      status: 'stored',
    });
    await runtime.leads.upsertLead({ email: 'Lead.One@Acme.example', first_name: 'Lee' }, 'rb2b');
    await runtime.operators.add('maria', 'reviewer', 'admin');
    return { hive, batchId: batch.id };
  } finally {
    await runtime.close();
  }
}

/** Context and counters in the embedded coordination file (what a host without Redis kept). */
async function addCoordination(hive: string): Promise<void> {
  const db = openDatabase(coordinationPath(hive));
  const store = createSqliteStateStore(db, { CONTEXT_STATE_TTL_SECONDS: 7200 });
  await store.setContext('session:1', { step: 2 }, 3600);
  await store.increment('sends:2026-11-21', 3, 86_400);
  await store.claimOnce('notify-incident', 'redis-down', 'host-a');
  await store.putRecord('incidents', 'redis-down', { kind: 'redis-down', opened_at: '2026-11-29T10:00:00Z' });
  // This machine's own heartbeat and registration stay here: never copied into a shared Redis.
  await store.putRecord('hosts', 'machine-a:1:abcd', { id: 'machine-a:1:abcd' });
  await store.putRecord('record-registration', 'record_id', {
    record_id: 'rec_local',
    registered_at: '',
    by: 'x',
  });
  db.close();
}

async function counts(record: RecordStore): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of await recordTables()) {
    if (table.name in DERIVED_TABLES) continue;
    const row = await record.db.kysely
      .selectFrom(table.name as 'drafts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    out[table.name] = Number(row.n);
  }
  return out;
}

const parse = (stdout: string) => JSON.parse(stdout) as MigrateSummary;

describe('the record copier discovers its tables from the migrations', () => {
  it('lists every record table with a primary key, referenced tables first', async () => {
    const tables = await recordTables();
    const names = tables.map((table) => table.name);
    for (const name of [...FILLED, 'record_meta', 'external_sends', 'draft_tallies'])
      expect(names).toContain(name);
    expect(names[0]).toBe('record_meta');
    for (const table of tables) {
      expect(table.key.length).toBeGreaterThan(0);
      for (const dependency of table.dependsOn)
        expect(names.indexOf(dependency)).toBeLessThan(names.indexOf(table.name));
    }
    expect(tables.find((table) => table.name === 'audit_log')?.appendOnly).toBe(true);
    expect(tables.find((table) => table.name === 'drafts')?.appendOnly).toBe(false);
    for (const derived of Object.keys(DERIVED_TABLES)) expect(names).toContain(derived);
  });
});

describe('caio migrate: configuration errors', () => {
  it('is a configuration error (exit 2) without DATABASE_URL and REDIS_URL', async () => {
    const hive = tempDir();
    openDatabase(join(hive, 'caio.db')).close();
    await expect(
      runCommand(migrateCommand, ['--hive-dir', hive], { cwd: hive, env: {} }),
    ).rejects.toMatchObject({
      code: 'migrate_target_missing',
      exitCode: 2,
    });
  });

  it('is a configuration error when the hive dir holds no database', async () => {
    const empty = tempDir();
    await expect(
      runMigrate({
        config: parseConfig(redisEnv('redis://127.0.0.1:1', 'x')),
        hiveDir: empty,
        dryRun: false,
      }),
    ).rejects.toMatchObject({ code: 'hive_dir_missing', exitCode: 2 });
  });

  it('an unreachable DATABASE_URL is a configuration error naming the variable, without its password', async () => {
    const hive = tempDir();
    openDatabase(join(hive, 'caio.db')).close();
    const error = await runMigrate({
      config: parseConfig({ DATABASE_URL: 'postgres://caio:hunter2secret@127.0.0.1:1/caio' }),
      hiveDir: hive,
      dryRun: false,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'record_unreachable', exitCode: 2 });
    expect((error as Error).message).toMatch(/DATABASE_URL/);
    expect((error as Error).message).not.toContain('hunter2secret');
  });

  it('reports not ok (exit 1) when Redis is unreachable, without leaking the password', async () => {
    const hive = tempDir();
    openDatabase(join(hive, 'caio.db')).close();
    const result = await runCommand(migrateCommand, ['--hive-dir', hive, '--json'], {
      cwd: hive,
      env: redisEnv('redis://:topsecretpassword@127.0.0.1:1', 'x'),
    });
    expect(result.code).toBe(1);
    const summary = parse(result.stdout);
    expect(summary.ok).toBe(false);
    expect(summary.errors[0]?.kind).toBe('redis');
    expect(result.stdout).not.toContain('topsecretpassword');
  });
});

const withRedis = REDIS_AVAILABLE ? describe : describe.skip;
const withBoth = REDIS_AVAILABLE && POSTGRES_FOR_TESTS ? describe : describe.skip;

withRedis('caio migrate: the one-host cutover (Redis, no PostgreSQL)', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.close();
  });

  it('seeds Redis from the embedded record and coordination, prints ok true, and a rerun seeds nothing new', async () => {
    const { hive, batchId } = await populateHive();
    await addCoordination(hive);
    const prefix = `t-${randomUUID()}`;
    const env = { ...BASE_ENV, HIVE_DIR: hive, ...redisEnv(redis.url, prefix) };
    const embedded = await createRecordStore({ HIVE_DIR: hive });
    const recordId = embedded.db.id;
    await embedded.close();

    const first = await runCommand(migrateCommand, ['--hive-dir', hive, '--json'], { cwd: hive, env });
    expect(first.code).toBe(0);
    const summary = parse(first.stdout);
    expect(summary).toMatchObject({
      ok: true,
      target: null,
      record_id: recordId,
      migrated: { record: {}, redis: { record_id: 1, contexts: 1, counters: 1, claims: 2, fences: 1 } },
      errors: [],
    });

    const direct = createRedisStateStore(redisStoreConfig(redis.url, prefix));
    await direct.connect();
    expect(await registeredRecordId(direct)).toBe(recordId);
    expect(await direct.claimOwner('batch-execute', batchId)).toMatch(/^pat/);
    expect(await direct.claimOwner('notify-incident', 'redis-down')).toBe('host-a');
    expect(await direct.getCounter('sends:2026-11-21')).toBe(3);
    expect(await direct.countRecords('incidents')).toBe(1);
    expect(await direct.countRecords('hosts')).toBe(0);
    expect(summary.migrated.redis.records).toEqual({ incidents: 1 });
    expect(await direct.client.pttl(`${prefix}:context:session:1`)).toBeGreaterThan(3_500_000);

    const second = await runCommand(migrateCommand, ['--hive-dir', hive, '--json'], { cwd: hive, env });
    expect(second.code).toBe(0);
    expect(parse(second.stdout)).toMatchObject({
      ok: true,
      migrated: { redis: { record_id: 0, contexts: 0, counters: 0, claims: 0, fences: 0 } },
      skipped: { redis: { record_id: 1, contexts: 1, counters: 1, claims: 3, fences: 1 } },
    });

    // Without --json: a human summary ending in the result.
    const human = await runCommand(migrateCommand, ['--hive-dir', hive], { cwd: hive, env });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/record id already registered/);
    expect(human.stdout).toMatch(/Result: ok/);
    await direct.close();
  });

  it('refuses (exit 1) when Redis registers another record', async () => {
    const { hive } = await populateHive();
    const prefix = `t-${randomUUID()}`;
    const direct = createRedisStateStore(redisStoreConfig(redis.url, prefix));
    await direct.connect();
    expect(await registerRecordId(direct, 'rec_other', 'another host')).toMatchObject({
      outcome: 'registered',
    });
    const result = await runCommand(migrateCommand, ['--hive-dir', hive, '--json'], {
      cwd: hive,
      env: { ...BASE_ENV, ...redisEnv(redis.url, prefix) },
    });
    expect(result.code).toBe(1);
    expect(parse(result.stdout).errors).toEqual([
      expect.objectContaining({ kind: 'records_not_shared', message: expect.stringMatching(/rec_other/) }),
    ]);
    await direct.close();
  });
});

withBoth('caio migrate: embedded record -> shared PostgreSQL record', () => {
  let redis: TestRedis;
  const drops: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.close();
    for (const drop of drops) await drop();
  });
  async function database(): Promise<string> {
    const created = await createTestDatabase();
    drops.push(() => created.drop());
    return created.url;
  }

  it('copies every table (ids kept), verifies, seeds Redis, and a rerun copies nothing', async () => {
    const { hive, batchId } = await populateHive();
    await addCoordination(hive);
    const url = await database();
    const prefix = `t-${randomUUID()}`;
    const env = { ...BASE_ENV, HIVE_DIR: hive, DATABASE_URL: url, ...redisEnv(redis.url, prefix) };
    const embedded = await createRecordStore({ HIVE_DIR: hive });
    const sourceCounts = await counts(embedded);
    const sourceHead = await embedded.audit.head();
    const sourceId = embedded.db.id;
    const sourceDrafts = await embedded.drafts.countsByStatus();
    await embedded.close();
    for (const table of FILLED) expect(sourceCounts[table], table).toBeGreaterThan(0);

    const dry = await runCommand(migrateCommand, ['--hive-dir', hive, '--dry-run', '--json'], {
      cwd: hive,
      env,
    });
    expect(dry.code).toBe(0);
    expect(parse(dry.stdout)).toMatchObject({ ok: true, dry_run: true, migrated: { record: { drafts: 6 } } });
    const peek = await createRecordStore({ HIVE_DIR: hive, DATABASE_URL: url });
    expect((await counts(peek)).drafts).toBe(0);
    expect(peek.db.id).not.toBe(sourceId);
    await peek.close();

    const first = await runCommand(migrateCommand, ['--hive-dir', hive, '--json'], { cwd: hive, env });
    expect(first.code).toBe(0);
    const summary = parse(first.stdout);
    expect(summary).toMatchObject({ ok: true, adopted_record_id: true, record_id: sourceId, errors: [] });
    expect(summary.target).toMatch(/^postgres:\/\/127\.0\.0\.1:\d+\/caio_test_/);
    for (const [table, n] of Object.entries(sourceCounts)) {
      expect((summary.migrated.record[table] ?? 0) + (summary.skipped.record[table] ?? 0), table).toBe(n);
    }
    // The target's own record_id row is the only thing it had.
    expect(summary.migrated.record).toMatchObject({
      drafts: 6,
      audit_log: sourceCounts.audit_log,
      record_meta: 0,
    });
    expect(summary.rebuilt).toEqual(['draft_tallies']);
    expect(summary.verified).toEqual(sourceCounts);

    const shared = await createRecordStore({ HIVE_DIR: tempDir(), DATABASE_URL: url });
    try {
      expect(shared.db.id).toBe(sourceId);
      expect(await counts(shared)).toEqual(sourceCounts);
      expect(await shared.audit.head()).toEqual(sourceHead);
      expect(await shared.drafts.countsByStatus()).toEqual(sourceDrafts);
      expect((await shared.webhookEvents.get(2))?.payload).toEqual(Buffer.from([0, 1, 2, 255]));
      expect(await shared.addresses.suppression('gone@x.example')).toMatchObject({ reason: 'unsubscribed' });
    } finally {
      await shared.close();
    }
    const direct = createRedisStateStore(redisStoreConfig(redis.url, prefix));
    await direct.connect();
    expect(await registeredRecordId(direct)).toBe(sourceId);
    expect(await direct.claimOwner('batch-execute', batchId)).toMatch(/^pat/);
    await direct.close();

    // A host on the shared record writes on: sequences were raised past the copied ids.
    const host = await createRuntime(parseConfig({ ...env, HIVE_DIR: tempDir() }), { twoPersonRule: false });
    try {
      const stored = await host.webhooks.insert({
        source: 'rb2b',
        idempotencyKey: 'rb2b-after',
        payload: Buffer.from('{}'),
        status: 'stored',
      });
      expect(stored).toMatchObject({ id: 3 });
      await host.ramp.recordIncident('pat', 'after the move');
      await host.queue.importLines(jsonl([draftInput(100)]));
    } finally {
      await host.close();
    }

    const second = await runCommand(migrateCommand, ['--hive-dir', hive, '--json'], { cwd: hive, env });
    expect(second.code).toBe(0);
    const again = parse(second.stdout);
    expect(again.ok).toBe(true);
    expect(Object.values(again.migrated.record).every((n) => n === 0)).toBe(true);
    expect(again.skipped.record).toMatchObject({ drafts: 6, audit_log: sourceCounts.audit_log });
    expect(again.migrated.redis).toMatchObject({ record_id: 0, claims: 0, contexts: 0, counters: 0 });
  });

  it('fails verification (exit 1) when the shared record was tampered with', async () => {
    const { hive } = await populateHive();
    const url = await database();
    const env = { ...BASE_ENV, DATABASE_URL: url };
    expect((await runCommand(migrateCommand, ['--hive-dir', hive, '--json'], { cwd: hive, env })).code).toBe(
      0,
    );

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('alter table audit_log disable trigger user');
      await client.query("update audit_log set actor = 'mallory' where seq = 2");
      await client.query('alter table audit_log enable trigger user');
    } finally {
      await client.end();
    }
    const result = await runCommand(migrateCommand, ['--hive-dir', hive, '--json'], { cwd: hive, env });
    expect(result.code).toBe(1);
    const summary = parse(result.stdout);
    expect(summary.ok).toBe(false);
    expect(summary.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'tampered', key: expect.stringMatching(/^audit_log\//) }),
        expect.objectContaining({ kind: 'audit', message: expect.stringMatching(/row 2 was changed/) }),
      ]),
    );
    const human = await runCommand(migrateCommand, ['--hive-dir', hive], { cwd: hive, env });
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/Result: FAILED/);
  });

  it('never merges two records: a shared record holding another record is refused, nothing copied', async () => {
    const { hive } = await populateHive();
    const url = await database();
    const other = await createRecordStore({ HIVE_DIR: tempDir(), DATABASE_URL: url });
    await other.audit.append({ actor: 'pat', action: 'bootstrap', subject: 'elsewhere' });
    const otherId = other.db.id;
    await other.close();

    const result = await runCommand(migrateCommand, ['--hive-dir', hive, '--json'], {
      cwd: hive,
      env: { ...BASE_ENV, DATABASE_URL: url },
    });
    expect(result.code).toBe(1);
    const summary = parse(result.stdout);
    expect(summary.errors).toEqual([expect.objectContaining({ kind: 'records_differ' })]);
    const shared = await createRecordStore({ HIVE_DIR: tempDir(), DATABASE_URL: url });
    try {
      expect(shared.db.id).toBe(otherId);
      expect((await counts(shared)).drafts).toBe(0);
      expect(await shared.audit.count()).toBe(1);
    } finally {
      await shared.close();
    }
  });

  it('dual read: a lookup that misses the shared record falls back to the embedded one and backfills it', async () => {
    const { hive } = await populateHive();
    const url = await database();
    const env = { ...BASE_ENV, DATABASE_URL: url };
    expect((await runCommand(migrateCommand, ['--hive-dir', hive, '--json'], { cwd: hive, env })).code).toBe(
      0,
    );

    // The old host wrote on after the migration (before it was restarted on DATABASE_URL).
    const embedded = await createRecordStore({ HIVE_DIR: hive });
    await embedded.addresses.suppress(
      'late@x.example',
      'unsubscribed',
      'instantly',
      Date.parse('2026-11-29T10:00:00Z'),
    );
    expect(await embedded.drafts.insert(makeDraft({ id: 'late-draft', status: 'pending' }))).toBe('inserted');
    await embedded.close();

    const off = await createRecordStore({
      HIVE_DIR: hive,
      DATABASE_URL: url,
      STATE_DUAL_READ_ENABLED: false,
    });
    try {
      expect(await off.addresses.suppression('late@x.example')).toBeUndefined();
      expect((await off.drafts.getMany(['late-draft'])).size).toBe(0);
    } finally {
      await off.close();
    }

    const on = await createRecordStore({ HIVE_DIR: hive, DATABASE_URL: url, STATE_DUAL_READ_ENABLED: true });
    try {
      // Inside a transaction too (the Gatekeeper checks addresses in one).
      const facts = await on.transaction((tx) => tx.addresses.lookup(['late@x.example', 'nobody@x.example']));
      expect(facts.suppressed.get('late@x.example')).toMatchObject({ reason: 'unsubscribed' });
      expect(facts.suppressed.has('nobody@x.example')).toBe(false);
      expect((await on.drafts.getMany(['late-draft', 'never'])).get('late-draft')?.draft.status).toBe(
        'pending',
      );
      expect((await on.drafts.countsByStatus()).pending).toBe(3);
    } finally {
      await on.close();
    }
    // Backfilled: the shared record has them now, without the fallback.
    const shared = await createRecordStore({ HIVE_DIR: tempDir(), DATABASE_URL: url });
    try {
      expect(await shared.addresses.suppression('late@x.example')).toMatchObject({ reason: 'unsubscribed' });
      expect((await shared.drafts.getMany(['late-draft'])).size).toBe(1);
    } finally {
      await shared.close();
    }
    // An embedded record of an older schema (no webhook key_hash, opened without migrating) still
    // backfills its webhook events.
    const older = await createRecordStore({ HIVE_DIR: hive });
    const [late] = await older.transaction((tx) =>
      tx.webhookEvents.insertMany([
        {
          source: 'clay',
          idempotencyKey: 'id:late-1',
          payload: Buffer.from('{"email":"l@x.example"}'),
          status: 'stored',
        },
      ]),
    );
    await older.close();
    const downgrade = openDatabase(join(hive, 'caio.db'));
    downgrade.exec(`drop trigger webhook_events_key_hash_set; drop index webhook_events_key_hash;
      alter table webhook_events drop column key_hash; pragma user_version = 12;`);
    downgrade.close();
    const reading = await createRecordStore({
      HIVE_DIR: hive,
      DATABASE_URL: url,
      STATE_DUAL_READ_ENABLED: true,
    });
    try {
      expect(await reading.webhookEvents.get(late?.id ?? 0)).toMatchObject({ idempotency_key: 'id:late-1' });
    } finally {
      await reading.close();
    }
    // A record that is not the one the shared record adopted is never read.
    const stranger = tempDir();
    const other = await createRecordStore({ HIVE_DIR: stranger });
    await other.addresses.suppress('stranger@x.example', 'bounced', 'instantly', Date.now());
    await other.close();
    const guarded = await createRecordStore({
      HIVE_DIR: stranger,
      DATABASE_URL: url,
      STATE_DUAL_READ_ENABLED: true,
    });
    try {
      expect(await guarded.addresses.suppression('stranger@x.example')).toBeUndefined();
    } finally {
      await guarded.close();
    }
  });
});
