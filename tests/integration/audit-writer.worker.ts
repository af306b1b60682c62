/**
 * Test worker: appends audit rows to a shared record, each in one record transaction with a change of
 * its own (a row in `worker_changes`), as a service would. `node --import tsx audit-writer.worker.ts
 * CONFIG_JSON ACTOR COUNT` (CONFIG_JSON: `{"HIVE_DIR", "DATABASE_URL"?}`; COUNT 0 = until killed).
 * Prints `ready` after the first commit and `done N` at the end.
 */
import { sql } from 'kysely';
import { bindRepos, createRecordStore } from '../../src/runtime/stores/record/record.js';

const [configJson, actor = 'worker', countArg = '0'] = process.argv.slice(2);
if (!configJson) throw new Error('usage: audit-writer.worker.ts CONFIG_JSON ACTOR COUNT');
const total = Number(countArg);
const record = await createRecordStore(JSON.parse(configJson) as { HIVE_DIR: string; DATABASE_URL?: string });
const id = record.dialect === 'postgres' ? 'bigserial primary key' : 'integer primary key autoincrement';
await sql
  .raw(`CREATE TABLE IF NOT EXISTS worker_changes (id ${id}, actor TEXT, n INTEGER)`)
  .execute(record.db.kysely);

for (let n = 1; total === 0 || n <= total; n++) {
  await record.db.kysely.transaction().execute(async (trx) => {
    await sql`INSERT INTO worker_changes (actor, n) VALUES (${actor}, ${n})`.execute(trx);
    await bindRepos(trx, { dialect: record.dialect, now: Date.now }).audit.append({
      actor,
      action: 'test.change',
      subject: `change-${n}`,
      details: { n, pad: 'x'.repeat(200) },
    });
  });
  if (n === 1) process.stdout.write('ready\n');
}
await record.close();
process.stdout.write(`done ${total}\n`);
