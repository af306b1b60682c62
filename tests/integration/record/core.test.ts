import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { verifyAuditChain } from '../../../src/runtime/domain/audit-chain.js';
import { UserError } from '../../../src/runtime/errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../src/runtime/stores/record/migrations.js';
import { createRecordStore } from '../../../src/runtime/stores/record/record.js';
import { auditRowSchema } from '../../../src/runtime/stores/record/tables/audit.js';
import { describeRecords } from '../../helpers/record.js';

describeRecords('record core', ({ kind, open, reopen }) => {
  it('creates an id with the record and keeps it for every later opener', async () => {
    const { record, config } = await open();
    expect(record.db.id).toMatch(/^rec_[0-9a-f-]{36}$/);
    const again = await reopen(config);
    expect(again.db.id).toBe(record.db.id);
    const other = await open();
    expect(other.record.db.id).not.toBe(record.db.id);
  });

  it('migrates to the current schema version once', async () => {
    const { record, config } = await open();
    const version =
      kind === 'sqlite'
        ? Number(
            (await sql<{ user_version: number }>`pragma user_version`.execute(record.db.kysely)).rows[0]
              ?.user_version,
          )
        : Number(
            (
              await sql<{ v: number }>`select max(version) as v from caio_migrations`.execute(
                record.db.kysely,
              )
            ).rows[0]?.v,
          );
    expect(version).toBe(SCHEMA_VERSION);
    await reopen(config);
    if (kind === 'postgres') {
      const rows = await sql<{ n: number }>`select count(*) as n from caio_migrations`.execute(
        record.db.kysely,
      );
      expect(Number(rows.rows[0]?.n)).toBe(MIGRATIONS.length);
    }
  });

  it('refuses a record whose schema is newer than this code', async () => {
    const { record, config } = await open();
    if (kind === 'sqlite')
      await sql.raw(`pragma user_version = ${SCHEMA_VERSION + 5}`).execute(record.db.kysely);
    else
      await sql`insert into caio_migrations (version, name, applied_at) values (${SCHEMA_VERSION + 5}, 'future', 'now')`.execute(
        record.db.kysely,
      );
    await record.close();
    const error = await createRecordStore(config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain(`schema version ${SCHEMA_VERSION + 5}`);
    expect((error as UserError).exitCode).toBe(2);
  });

  it('appends one hash chain from concurrent writers and commits audit rows with the change', async () => {
    const { record, config } = await open();
    const second = await reopen(config);
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? record : second).audit.append({
          actor: `op${i % 3}`,
          action: 'test.append',
          subject: `s${i}`,
        }),
      ),
    );
    await expect(
      record.transaction(async (tx) => {
        await tx.audit.append({ actor: 'op', action: 'test.rollback', subject: 'x' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await record.audit.count()).toBe(40);
    const rows = [];
    for await (const raw of record.audit.rows(7)) rows.push(auditRowSchema.parse(raw));
    expect(rows.map((row) => row.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(verifyAuditChain(rows, []).ok).toBe(true);
    expect((await record.audit.tail(2)).map((row) => row.subject).length).toBe(2);
  });

  it('refuses to edit or delete audit rows', async () => {
    const { record } = await open();
    await record.audit.append({ actor: 'op', action: 'test.append', subject: 'a' });
    await expect(sql`update audit_log set actor = 'mallory'`.execute(record.db.kysely)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`delete from audit_log`.execute(record.db.kysely)).rejects.toThrow(/append-only/);
    expect(await record.audit.integrity()).toEqual({ table: true, missingTriggers: [] });
  });
});

it('names DATABASE_URL and the fix when PostgreSQL cannot be reached', async () => {
  const error = await createRecordStore(
    { HIVE_DIR: '/nonexistent', DATABASE_URL: 'postgres://caio:secret-pw@127.0.0.1:1/caio' },
    { connectTimeoutMs: 1000 },
  ).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UserError);
  const message = (error as UserError).message;
  expect(message).toContain('DATABASE_URL');
  expect(message).not.toContain('secret-pw');
  expect((error as UserError).nextStep).toMatch(/Start PostgreSQL or correct DATABASE_URL/);
  expect((error as UserError).exitCode).toBe(2);
});
