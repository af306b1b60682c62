/**
 * Tampering that the chain alone cannot show (SPEC 5): a cut tail, an emptied or dropped table, a
 * dropped trigger. `caio audit verify` fails every time, run after run, on the SQLite record and on
 * PostgreSQL alike, and never writes to the record it checks; only `caio audit repair-triggers`
 * repairs, and a cut tail still fails after it.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createAuditService } from '../../src/runtime/services/audit.js';
import { createRecordStore } from '../../src/runtime/stores/record/record.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase } from '../helpers/postgres-server.js';
import { POSTGRES_FOR_TESTS, type RecordKind } from '../helpers/record.js';
import { useTempDir } from '../helpers/temp.js';

interface Target {
  hive: string;
  env: Record<string, string>;
  /** Run statements as someone with direct access to the database (no caio code). */
  tamper(...statements: string[]): Promise<void>;
  /** What verify must leave exactly as it found it. */
  fingerprint(): Promise<string>;
  dropTrigger(name: string, table: string): string;
}

const PG_FINGERPRINT = [
  'select * from audit_log order by seq',
  'select * from audit_heads order by id',
  'select * from caio_migrations order by version',
  "select tgname from pg_trigger t join pg_class c on c.oid = t.tgrelid where not t.tgisinternal and c.relname like 'audit%' order by tgname",
  'select table_name from information_schema.tables where table_schema = current_schema() order by table_name',
];

async function pgRun(url: string, statements: string[]): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const hash = createHash('sha256');
  try {
    for (const statement of statements) {
      const result = await client.query(statement).catch((error: unknown) => ({ rows: [String(error)] }));
      hash.update(JSON.stringify(result.rows));
    }
  } finally {
    await client.end();
  }
  return hash.digest('hex');
}

/** 6 rows, with a release decision recording the head at row 5. */
async function seed(config: { HIVE_DIR: string; DATABASE_URL?: string }): Promise<void> {
  const record = await createRecordStore(config);
  try {
    const audit = createAuditService(record);
    for (let i = 1; i <= 4; i++)
      await audit.append({ actor: 'ann', action: 'queue.approve', subject: `d-${i}` });
    await audit.append(
      { actor: 'pto', action: 'release.decision', subject: 'r1/staging', details: { decision: 'GO' } },
      { recordHead: 'release.decision r1/staging' },
    );
    await audit.append({ actor: 'ann', action: 'queue.reject', subject: 'd-5' });
  } finally {
    await record.close();
  }
}

async function appendOne(config: { HIVE_DIR: string; DATABASE_URL?: string }, subject: string) {
  const record = await createRecordStore(config);
  try {
    await record.audit.append({ actor: 'ann', action: 'queue.approve', subject });
  } finally {
    await record.close();
  }
}

const RECREATE_AUDIT_LOG =
  'CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, time TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL, details TEXT NOT NULL, prev_hash TEXT NOT NULL UNIQUE, hash TEXT NOT NULL UNIQUE)';

for (const kind of ['sqlite', 'postgres'] as RecordKind[]) {
  const run = kind === 'postgres' && !POSTGRES_FOR_TESTS ? describe.skip : describe;
  run(`caio audit verify against tampering [${kind}]`, () => {
    const tempDir = useTempDir();
    const drops: (() => Promise<void>)[] = [];
    afterAll(async () => {
      for (const drop of drops) await drop();
    });

    async function target(): Promise<Target> {
      const cwd = tempDir();
      const hive = join(cwd, 'hive');
      if (kind === 'postgres') {
        const database = await createTestDatabase();
        drops.push(() => database.drop());
        const config = { HIVE_DIR: hive, DATABASE_URL: database.url };
        await seed(config);
        return {
          hive: cwd,
          env: { HIVE_DIR: 'hive', DATABASE_URL: database.url },
          tamper: async (...statements) => void (await pgRun(database.url, statements)),
          fingerprint: () => pgRun(database.url, PG_FINGERPRINT),
          dropTrigger: (name, table) => `DROP TRIGGER ${name} ON ${table}`,
        };
      }
      await seed({ HIVE_DIR: hive });
      return {
        hive: cwd,
        env: { HIVE_DIR: 'hive' },
        async tamper(...statements) {
          const raw = new Database(join(hive, 'caio.db'));
          for (const statement of statements) raw.exec(statement);
          raw.close();
        },
        async fingerprint() {
          const hash = createHash('sha256');
          for (const name of ['caio.db', 'caio.db-wal']) {
            const path = join(hive, name);
            hash.update(name).update(existsSync(path) ? readFileSync(path) : Buffer.alloc(0));
          }
          return hash.digest('hex');
        },
        dropTrigger: (name) => `DROP TRIGGER ${name}`,
      };
    }

    const configOf = (t: Target) => ({
      HIVE_DIR: join(t.hive, 'hive'),
      ...(t.env.DATABASE_URL ? { DATABASE_URL: t.env.DATABASE_URL } : {}),
    });

    async function verifyTwice(t: Target) {
      const before = await t.fingerprint();
      const first = await runCli(['audit', 'verify', '--json'], { cwd: t.hive, env: t.env });
      const second = await runCli(['audit', 'verify'], { cwd: t.hive, env: t.env });
      expect(await t.fingerprint()).toBe(before);
      expect(first.code, first.stdout + first.stderr).toBe(1);
      expect(second.code, second.stdout + second.stderr).toBe(1);
      return { json: JSON.parse(first.stdout) as Record<string, unknown>, text: second.stdout };
    }

    it('passes an intact trail and checks the recorded head', async () => {
      const t = await target();
      const ok = await runCli(['audit', 'verify'], { cwd: t.hive, env: t.env });
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      expect(ok.stdout).toContain('PASS audit chain intact: 6 rows');
      expect(ok.stdout).toContain('1 recorded heads hold');
    });

    it('fails a cut tail every time, and still after the triggers are repaired', async () => {
      const t = await target();
      await t.tamper(
        t.dropTrigger('audit_log_no_delete', 'audit_log'),
        'DELETE FROM audit_log WHERE seq >= 4',
      );
      const { json, text } = await verifyTwice(t);
      expect(json).toMatchObject({ ok: false, broken: { seq: 5, problem: 'head_missing' } });
      expect(text).toContain('FAIL audit chain broken at row 5 (head_missing)');
      expect(text).toContain('the trail now ends at row 3');
      expect(text).toContain('FAIL append-only trigger audit_log_no_delete is missing');

      const repair = await runCli(['audit', 'repair-triggers'], { cwd: t.hive, env: t.env });
      expect(repair.code, repair.stderr).toBe(0);
      expect(repair.stdout).toContain('Restored audit_log_no_delete');
      const after = await verifyTwice(t);
      expect(after.json).toMatchObject({ broken: { problem: 'head_missing' } });
    });

    it('fails when every row is deleted', async () => {
      const t = await target();
      await t.tamper(t.dropTrigger('audit_log_no_delete', 'audit_log'), 'DELETE FROM audit_log');
      expect((await verifyTwice(t)).json).toMatchObject({ broken: { seq: 5, problem: 'head_missing' } });
    });

    it('fails a dropped table, also once someone recreated an empty one and caio appended to it', async () => {
      const t = await target();
      await t.tamper('DROP TABLE audit_log');
      const { json, text } = await verifyTwice(t);
      expect(json).toMatchObject({ broken: { problem: 'table_missing' } });
      expect(text).toContain('the audit_log table is missing');

      // A fresh table without triggers, and a new row on it: the recorded head still fails it.
      await t.tamper(RECREATE_AUDIT_LOG);
      await appendOne(configOf(t), 'd-9');
      expect((await verifyTwice(t)).json).toMatchObject({ broken: { seq: 5, problem: 'head_missing' } });
    });

    it('fails a dropped trigger (or heads table) until repair-triggers restores it', async () => {
      const t = await target();
      await t.tamper(t.dropTrigger('audit_log_no_update', 'audit_log'));
      const { json } = await verifyTwice(t);
      expect(json).toMatchObject({ broken: { problem: 'trigger_missing' } });
      // A writer opening the record does not quietly restore it either.
      await appendOne(configOf(t), 'd-7');
      await verifyTwice(t);

      const env = { ...t.env, USER: 'ops' };
      expect((await runCli(['audit', 'repair-triggers'], { cwd: t.hive, env })).code).toBe(0);
      const ok = await runCli(['audit', 'verify'], { cwd: t.hive, env });
      expect(ok.code, ok.stdout).toBe(0);
      const tail = await runCli(['audit', 'tail', '-n', '1', '--json'], { cwd: t.hive, env });
      expect(JSON.parse(tail.stdout)).toMatchObject([
        { actor: 'cli:ops', action: 'audit.repair_triggers', details: { restored: ['audit_log_no_update'] } },
      ]);

      await t.tamper(t.dropTrigger('audit_heads_no_delete', 'audit_heads'), 'DELETE FROM audit_heads');
      expect((await verifyTwice(t)).json).toMatchObject({ broken: { problem: 'trigger_missing' } });

      await t.tamper('DROP TABLE audit_heads');
      const dropped = await verifyTwice(t);
      expect(dropped.json).toMatchObject({ broken: { problem: 'table_missing' } });
      expect(dropped.text).toContain('the audit_heads table is missing');
    });
  });
}
